// Members of one community, from the community ids `ecograph load --write-back` stores.
// params: community (int, e.g. 0)
// returns: party, kind, pagerank
// needs: write-back (community, pagerank)
MATCH (n)
WHERE n.community = $community
RETURN n.id AS party, labels(n)[0] AS kind, n.pagerank AS pagerank
ORDER BY pagerank DESC, party
