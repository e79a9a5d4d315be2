// One partner's scorecard: deals, wins, revenue won, customers and co-sell partners.
// params: partner (string, e.g. "P00015")
// returns: partner, tier, deals, won, won_amount, customers, cosell_partners
MATCH (p:Partner {id: $partner})
OPTIONAL MATCH (p)-[d:REGISTERED]->()
WITH p, count(d) AS deals,
     sum(CASE WHEN d.status = 'won' THEN 1 ELSE 0 END) AS won,
     sum(CASE WHEN d.status = 'won' THEN coalesce(d.amount, 0) ELSE 0 END) AS won_amount
OPTIONAL MATCH (p)-[s:SELLS_TO]->(c:Customer)
WITH p, deals, won, won_amount, count(DISTINCT c) AS customers
OPTIONAL MATCH (p)-[r:CO_SELLS_WITH]-(q:Partner)
RETURN p.id AS partner, p.tier AS tier, deals, won, won_amount, customers,
       count(DISTINCT q) AS cosell_partners
