// edge_set_stats -- $study, $visible (complete dataset ids)
// The study's visible edges per (level, method, year): how many, and which datasets wrote them.
MATCH (:City {study: $study})-[r:LINKS]->(:City)
WHERE r.dataset IN $visible
RETURN 'city' AS level, r.method AS method, r.year AS year, count(r) AS n,
       collect(DISTINCT r.dataset) AS datasets
UNION ALL
MATCH (:Enterprise {study: $study})-[r:COOPERATES]->(:Enterprise)
WHERE r.dataset IN $visible
RETURN 'enterprise' AS level, 'cooperation' AS method, r.year AS year, count(r) AS n,
       collect(DISTINCT r.dataset) AS datasets
