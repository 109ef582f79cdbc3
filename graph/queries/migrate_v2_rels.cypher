// migrate_v2_rels -- no parameters
// Schema 2 -> 3: a relationship is owned by one dataset. One that several datasets wrote (a
// `datasets` list) held the LAST writer's values (`dataset`): it is credited to that dataset;
// the earlier writers' values had been overwritten and cannot be recovered.
MATCH ()-[r]->()
WHERE r.datasets IS NOT NULL
WITH r, size(r.datasets) > 1 AS shared
SET r.dataset = coalesce(r.dataset, r.datasets[size(r.datasets) - 1]), r.datasets = null
RETURN count(r) AS n, sum(CASE WHEN shared THEN 1 ELSE 0 END) AS shared
