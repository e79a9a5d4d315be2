// Inputs a buyer receives from exactly one supplier, per SKU, over every flow that carries goods
// (as ecograph.analysis.bottlenecks.single_sourced): SUPPLIES, SELLS_TO naming a SKU, and
// DISTRIBUTES_FOR read backwards (the goods go from the company to its distributor); customers
// are not buyers here. units: the yearly volume (a flow without one counts 1). With as_of, only
// relationships in force that day count (started on or before it or undated, not ended before
// it; the Python side uses the bundle's last dated record); without it, every relationship.
// params: as_of (ISO string, e.g. "2025-12-31", optional)
// returns: buyer, sku, supplier, units
MATCH (x)-[r:SUPPLIES|SELLS_TO|DISTRIBUTES_FOR]->(y)
WHERE r.sku IS NOT NULL
  AND ($as_of IS NULL OR ((r.start IS NULL OR date(r.start) <= date($as_of))
                          AND (r.end IS NULL OR date(r.end) >= date($as_of))))
WITH r, CASE type(r) WHEN 'DISTRIBUTES_FOR' THEN y ELSE x END AS s,
     CASE type(r) WHEN 'DISTRIBUTES_FOR' THEN x ELSE y END AS b
WHERE NOT b:Customer
WITH b, r.sku AS sku, collect(DISTINCT s.id) AS suppliers, sum(coalesce(r.volume, 1)) AS units
WHERE size(suppliers) = 1
RETURN b.id AS buyer, sku, suppliers[0] AS supplier, units
ORDER BY units DESC, buyer, sku
