// Inputs a buyer receives from exactly one supplier (SUPPLIES relationships per SKU).
// params: none
// returns: buyer, sku, supplier, units
MATCH (s)-[r:SUPPLIES]->(b)
WITH b, r.sku AS sku, collect(s.id) AS suppliers, sum(r.volume) AS units
WHERE size(suppliers) = 1
RETURN b.id AS buyer, sku, suppliers[0] AS supplier, units
ORDER BY units DESC, buyer, sku
