// study_summary -- $study
// Counts of one study's nodes by label and relationships by type (from the study's side), with
// the years they cover (year 0, "no year given", is left out): rows (what, n, y0, y1).
MATCH (n:City {study: $study}) RETURN 'City' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Enterprise {study: $study}) RETURN 'Enterprise' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Observation {study: $study})
RETURN 'Observation' AS what, count(n) AS n, min(n.year) AS y0, max(n.year) AS y1
UNION ALL
MATCH (n:Region {study: $study}) RETURN 'Region' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (n:Dataset {study: $study}) RETURN 'Dataset' AS what, count(n) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:City {study: $study})-[r:LINKS]->(:City)
RETURN 'LINKS' AS what, count(r) AS n, min(CASE WHEN r.year <> 0 THEN r.year END) AS y0,
       max(CASE WHEN r.year <> 0 THEN r.year END) AS y1
UNION ALL
MATCH (:Enterprise {study: $study})-[r:COOPERATES]->(:Enterprise)
RETURN 'COOPERATES' AS what, count(r) AS n, min(CASE WHEN r.year <> 0 THEN r.year END) AS y0,
       max(CASE WHEN r.year <> 0 THEN r.year END) AS y1
UNION ALL
MATCH (:Enterprise {study: $study})-[r:LOCATED_IN]->(:City)
RETURN 'LOCATED_IN' AS what, count(r) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:City {study: $study})-[r:OBSERVED]->(:Observation)
RETURN 'OBSERVED' AS what, count(r) AS n, null AS y0, null AS y1
UNION ALL
MATCH (:Region {study: $study})-[r:OBSERVED]->(:Observation)
RETURN 'OBSERVED' AS what, count(r) AS n, null AS y0, null AS y1
