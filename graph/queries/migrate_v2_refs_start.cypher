// migrate_v2_refs_start -- no parameters
// Schema 2 -> 3: a node lists every dataset that references it (here: owns a relationship
// starting at it), so deleting the dataset that wrote it never detaches another's data.
MATCH (a)-[r]->()
WHERE r.dataset IS NOT NULL AND (a:City OR a:Enterprise OR a:Region)
WITH a, collect(DISTINCT r.dataset) AS ds
SET a.datasets = coalesce(a.datasets, []) + [d IN ds WHERE NOT (d IN coalesce(a.datasets, []))]
RETURN count(a) AS n
