// migrate_v2_split_observations -- no parameters
// Schema 2 -> 3: an Observation several datasets wrote held the union of their columns (the
// last writer's value where they overlapped); every further dataset gets its own copy with
// those values (the per-dataset split of a merged observation is not recoverable).
MATCH (x)-[:OBSERVED]->(o:Observation)
WHERE size(coalesce(o.datasets, [])) > 1
UNWIND o.datasets[1..] AS d
CREATE (x)-[:OBSERVED {dataset: d}]->(c:Observation)
SET c = properties(o), c.dataset = d, c.datasets = null
RETURN count(c) AS n
