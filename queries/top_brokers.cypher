// Top brokers: partners who co-sell with the most partners, across the most regions.
// params: limit (int, e.g. 10)
// returns: partner, name, cosell_partners, regions_reached
MATCH (p:Partner)-[r:CO_SELLS_WITH]-(q:Partner)
WITH p, collect(DISTINCT q) AS mates
UNWIND mates AS q
UNWIND q.regions AS region
WITH p, size(mates) AS cosell_partners, collect(DISTINCT region) AS regions
RETURN p.id AS partner, p.name AS name, cosell_partners, size(regions) AS regions_reached
ORDER BY regions_reached DESC, cosell_partners DESC, partner
LIMIT $limit
