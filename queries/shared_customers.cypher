// Partner pairs sharing the most customers (both have a SELLS_TO relationship to them).
// params: limit (int, e.g. 10)
// returns: a, b, shared
MATCH (p:Partner)-[r1:SELLS_TO]->(c:Customer)<-[r2:SELLS_TO]-(q:Partner)
WHERE p.id < q.id
WITH p, q, count(DISTINCT c) AS shared
RETURN p.id AS a, q.id AS b, shared
ORDER BY shared DESC, a, b
LIMIT $limit
