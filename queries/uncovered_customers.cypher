// Customers in a region who need a capability no partner serving the region is certified in.
// params: region (string, e.g. "NA-West"), capability (string, e.g. "compliance")
// returns: customer, segment, certified_partners
MATCH (c:Customer)
WHERE c.region = $region AND $capability IN c.needs
OPTIONAL MATCH (p:Partner)
WHERE $region IN p.regions AND $capability IN p.certifications
WITH c, count(p) AS certified_partners
WHERE certified_partners = 0
RETURN c.id AS customer, c.segment AS segment, certified_partners
ORDER BY customer
