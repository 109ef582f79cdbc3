// edge_set_stats -- $study
// The study's edges per (level, method, year): how many, and which datasets (or runs) wrote them.
MATCH (:City {study: $study})-[r:LINKS]->(:City)
RETURN 'city' AS level, r.method AS method, r.year AS year, count(r) AS n,
       collect(DISTINCT r.dataset) AS datasets
UNION ALL
MATCH (:Enterprise {study: $study})-[r:COOPERATES]->(:Enterprise)
RETURN 'enterprise' AS level, 'cooperation' AS method, r.year AS year, count(r) AS n,
       collect(DISTINCT r.dataset) AS datasets
