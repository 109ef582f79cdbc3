// migrate_v2_observations -- no parameters
// Schema 2 -> 3: the Observation (and its OBSERVED) is owned by the first dataset of its list.
MATCH (x)-[r:OBSERVED]->(o:Observation)
WHERE o.datasets IS NOT NULL
SET o.dataset = o.datasets[0], r.dataset = o.datasets[0], o.datasets = null
RETURN count(o) AS n
