// migrate_v1_directions -- no parameters
// Migration of a store written before studies: per dataset and edge set, how many edges, and
// how many are not in sorted endpoint order (an undirected edge file was stored with sorted
// endpoints, so 0 unsorted means undirected).
MATCH (a:Enterprise)-[r:COOPERATES]->(b:Enterprise)
UNWIND coalesce(r.datasets, [r.dataset]) AS d
RETURN d AS dataset, 'enterprise' AS level, 'cooperation' AS method, count(r) AS n,
       sum(CASE WHEN a.id < b.id THEN 0 ELSE 1 END) AS unsorted
UNION ALL
MATCH (a:City)-[r:LINKS]->(b:City)
UNWIND coalesce(r.datasets, [r.dataset]) AS d
RETURN d AS dataset, 'city' AS level, r.method AS method, count(r) AS n,
       sum(CASE WHEN a.name < b.name THEN 0 ELSE 1 END) AS unsorted
