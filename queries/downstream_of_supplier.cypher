// Parties downstream of a supplier: whom its goods reach through SUPPLIES, the company's
// distributors (DISTRIBUTES_FOR points from distributor to principal) and SELLS_TO.
// params: supplier (string, e.g. "S0001")
// returns: party, kind
MATCH (s:Supplier {id: $supplier})-[:SUPPLIES*1..3]->(m)
WITH collect(DISTINCT m) AS direct
UNWIND direct AS m
OPTIONAL MATCH (m)<-[:DISTRIBUTES_FOR]-(d:Partner)
OPTIONAL MATCH (d)-[:SUPPLIES|SELLS_TO*1..2]->(x)
WITH direct, collect(DISTINCT d) + collect(DISTINCT x) AS further
UNWIND direct + further AS party
WITH DISTINCT party
WHERE party IS NOT NULL
RETURN party.id AS party, labels(party)[0] AS kind
ORDER BY kind, party
