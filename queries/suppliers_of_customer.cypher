// Supply paths to a customer: the partner selling to it, the distributor supplying that
// partner, the company the distributor distributes for, and the company's suppliers.
// One row per path; later hops are empty where the chain stops.
// params: customer (string, e.g. "C0000264")
// returns: seller, distributor, company, supplier, supplied, sku
MATCH (c:Customer {id: $customer})<-[s:SELLS_TO]-(seller:Partner)
OPTIONAL MATCH (seller)<-[r:SUPPLIES]-(dist:Partner)-[f:DISTRIBUTES_FOR]->(co:Company)
WHERE r.sku = s.sku
OPTIONAL MATCH (co)<-[u:SUPPLIES]-(sup:Supplier)
RETURN DISTINCT seller.id AS seller, dist.id AS distributor, co.id AS company,
       sup.id AS supplier, u.sku AS supplied, s.sku AS sku
ORDER BY seller, distributor, supplier
