// purge_delete_rels -- $dataset
// Delete relationships written by $dataset alone.
MATCH ()-[r]->()
WHERE r.datasets = [$dataset]
DELETE r
RETURN count(*) AS n
