// purge_unshare_nodes -- $dataset
// Nodes shared with other datasets: drop $dataset from their lists (values stay).
MATCH (n)
WHERE $dataset IN n.datasets
WITH n, [x IN n.datasets WHERE x <> $dataset] AS rest
SET n.datasets = rest, n.dataset = rest[size(rest) - 1]
RETURN count(*) AS n
