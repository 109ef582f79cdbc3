// purge_nodes -- $dataset, $study
// Identity nodes (City, Enterprise, Region) that only this dataset wrote or referenced; their
// relationships were the dataset's own (purged before), DETACH is a safety net.
MATCH (n)
WHERE n.study = $study AND n.datasets = [$dataset]
DETACH DELETE n
RETURN count(*) AS n
