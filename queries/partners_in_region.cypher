// Partners serving a region, with what they hold and whether they are certified in a capability.
// params: region (string, e.g. "EMEA-North"), capability (string, e.g. "security")
// returns: partner, partner_type, tier, holds, certified
MATCH (p:Partner)
WHERE $region IN p.regions
RETURN p.id AS partner, p.partner_type AS partner_type, p.tier AS tier,
       $capability IN p.capabilities AS holds, $capability IN p.certifications AS certified
ORDER BY certified DESC, holds DESC, partner
