// Co-sell candidates who never co-sold: pairs sharing at least min_shared customers with
// no CO_SELLS_WITH relationship and no deal naming the other as co-sell partner.
// params: min_shared (int, e.g. 5), limit (int, e.g. 20)
// returns: a, b, shared, capabilities_a, capabilities_b
MATCH (p:Partner)-[r1:SELLS_TO]->(c:Customer)<-[r2:SELLS_TO]-(q:Partner)
WHERE p.id < q.id
WITH p, q, count(DISTINCT c) AS shared
WHERE shared >= $min_shared
WITH p, q, shared
WHERE NOT (p)-[:CO_SELLS_WITH]-(q)
OPTIONAL MATCH (p)-[d1:REGISTERED]->()
WHERE d1.cosell_partner = q.id
WITH p, q, shared, count(d1) AS p_with_q
OPTIONAL MATCH (q)-[d2:REGISTERED]->()
WHERE d2.cosell_partner = p.id
WITH p, q, shared, p_with_q, count(d2) AS q_with_p
WHERE p_with_q = 0 AND q_with_p = 0
RETURN p.id AS a, q.id AS b, shared, p.capabilities AS capabilities_a,
       q.capabilities AS capabilities_b
ORDER BY shared DESC, a, b
LIMIT $limit
