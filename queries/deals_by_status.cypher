// Deal registrations by status, optionally within a registration period.
// params: from (ISO string, e.g. "2025-01-01"), to (ISO string, e.g. "2026-01-01")
// returns: status, deals, amount
MATCH (p:Partner)-[d:REGISTERED]->(c:Customer)
WHERE date(d.registered) >= date($from) AND date(d.registered) < date($to)
RETURN d.status AS status, count(d) AS deals, sum(coalesce(d.amount, 0)) AS amount
ORDER BY status
