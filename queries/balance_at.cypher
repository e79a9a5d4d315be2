// A party's balance of one SKU at the end of a date: units in minus units out.
// params: party (string, e.g. "P00037"), sku (string, e.g. "NET-SW"), date (ISO string, e.g. "2025-12-31")
// returns: party, sku, received, sent, balance
MATCH (p {id: $party})
OPTIONAL MATCH ()-[i:MOVED]->(p)
WHERE i.sku = $sku AND date(i.date) <= date($date)
WITH p, sum(coalesce(i.units, 0)) AS received
OPTIONAL MATCH (p)-[o:MOVED]->()
WHERE o.sku = $sku AND date(o.date) <= date($date)
WITH p, received, sum(coalesce(o.units, 0)) AS sent
RETURN p.id AS party, $sku AS sku, received, sent, received - sent AS balance
