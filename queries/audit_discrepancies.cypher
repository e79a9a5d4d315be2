// Audit counts against the ledger: the balance at the end of the audit date versus the count.
// params: none
// returns: audit, party, sku, date, expected, counted, discrepancy
MATCH (a:Audit)-[c:COUNTS]->(p)
OPTIONAL MATCH ()-[i:MOVED]->(p)
WHERE i.sku = a.sku AND date(i.date) <= date(a.date)
WITH a, p, sum(coalesce(i.units, 0)) AS received
OPTIONAL MATCH (p)-[o:MOVED]->()
WHERE o.sku = a.sku AND date(o.date) <= date(a.date)
WITH a, p, received, sum(coalesce(o.units, 0)) AS sent
WITH a, p, received - sent AS expected
WHERE a.counted <> expected
RETURN a.id AS audit, p.id AS party, a.sku AS sku, a.date AS date, expected,
       a.counted AS counted, a.counted - expected AS discrepancy
ORDER BY abs(a.counted - expected) DESC, audit
