// purge_observations -- $dataset, $study
// The dataset's own Observations (city-years and series) with their OBSERVED.
MATCH (o:Observation {study: $study})
WHERE o.dataset = $dataset
DETACH DELETE o
RETURN count(*) AS n
