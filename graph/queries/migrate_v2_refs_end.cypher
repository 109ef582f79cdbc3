// migrate_v2_refs_end -- no parameters
// Schema 2 -> 3: as migrate_v2_refs_start, for the nodes relationships end at.
MATCH ()-[r]->(b)
WHERE r.dataset IS NOT NULL AND (b:City OR b:Enterprise)
WITH b, collect(DISTINCT r.dataset) AS ds
SET b.datasets = coalesce(b.datasets, []) + [d IN ds WHERE NOT (d IN coalesce(b.datasets, []))]
RETURN count(b) AS n
