// purge_unshare_rels -- $dataset
// Relationships shared with other datasets: drop $dataset from their lists (values stay).
MATCH ()-[r]->()
WHERE $dataset IN r.datasets
WITH r, [x IN r.datasets WHERE x <> $dataset] AS rest
SET r.datasets = rest, r.dataset = rest[size(rest) - 1]
RETURN count(*) AS n
