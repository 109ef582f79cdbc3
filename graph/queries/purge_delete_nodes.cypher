// purge_delete_nodes -- $dataset
// Delete nodes (and any relationship still attached) written by $dataset alone.
MATCH (n)
WHERE n.datasets = [$dataset]
DETACH DELETE n
RETURN count(*) AS n
