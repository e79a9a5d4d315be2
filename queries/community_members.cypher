// Members of one community, after `ecograph load --write-back` stored community ids.
// params: community (int, e.g. 0)
// returns: party, kind, pagerank
MATCH (n)
WHERE n.community = $community
RETURN n.id AS party, labels(n)[0] AS kind, n.pagerank AS pagerank
ORDER BY pagerank DESC, party
