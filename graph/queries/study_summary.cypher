// study_summary -- $study, $visible (complete dataset ids)
// Counts of one study's visible nodes by label and relationships by type (from the study's side;
// every Dataset node counts), with the years they cover (year 0, "no year given", left out):
// rows (what, n, y0, y1).
MATCH (n:City {study: $study}) WHERE any(d IN n.datasets WHERE d IN $visible)
RETURN 'City' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Enterprise {study: $study}) WHERE any(d IN n.datasets WHERE d IN $visible)
RETURN 'Enterprise' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Observation {study: $study}) WHERE n.dataset IN $visible
RETURN 'Observation' AS what, count(n) AS n, min(n.year) AS y0, max(n.year) AS y1
UNION ALL
MATCH (n:Region {study: $study}) WHERE any(d IN n.datasets WHERE d IN $visible)
RETURN 'Region' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Dataset {study: $study}) RETURN 'Dataset' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:City {study: $study})-[r:LINKS]->(:City) WHERE r.dataset IN $visible
RETURN 'LINKS' AS what, count(r) AS n, min(CASE WHEN r.year <> 0 THEN r.year END) AS y0,
       max(CASE WHEN r.year <> 0 THEN r.year END) AS y1
UNION ALL
MATCH (:Enterprise {study: $study})-[r:COOPERATES]->(:Enterprise) WHERE r.dataset IN $visible
RETURN 'COOPERATES' AS what, count(r) AS n, min(CASE WHEN r.year <> 0 THEN r.year END) AS y0,
       max(CASE WHEN r.year <> 0 THEN r.year END) AS y1
UNION ALL
MATCH (:Enterprise {study: $study})-[r:LOCATED_IN]->(:City) WHERE r.dataset IN $visible
RETURN 'LOCATED_IN' AS what, count(r) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:City {study: $study})-[r:OBSERVED]->(:Observation) WHERE r.dataset IN $visible
RETURN 'OBSERVED' AS what, count(r) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:Region {study: $study})-[r:OBSERVED]->(:Observation) WHERE r.dataset IN $visible
RETURN 'OBSERVED' AS what, count(r) AS n, null AS y0, null AS y1
