// Units each partner deployed at customer sites, per SKU (deployments minus returns to it).
// params: none
// returns: partner, sku, deployed, returned, net
MATCH (p:Partner)-[m:MOVED]->(c:Customer)
WHERE m.kind = 'deploy'
WITH p, c, m.sku AS sku, sum(m.units) AS out
OPTIONAL MATCH (c)-[b:MOVED]->(p)
WHERE b.kind = 'return' AND b.sku = sku
WITH p, c, sku, out, sum(coalesce(b.units, 0)) AS back
WITH p, sku, sum(out) AS deployed, sum(back) AS returned
RETURN p.id AS partner, sku, deployed, returned, deployed - returned AS net
ORDER BY net DESC, partner, sku
