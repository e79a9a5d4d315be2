// Customers and prospects per region and segment.
// params: none
// returns: region, segment, customers, prospects
MATCH (c:Customer)
RETURN c.region AS region, c.segment AS segment,
       sum(CASE WHEN c.status = 'customer' THEN 1 ELSE 0 END) AS customers,
       sum(CASE WHEN c.status = 'prospect' THEN 1 ELSE 0 END) AS prospects
ORDER BY region, segment
