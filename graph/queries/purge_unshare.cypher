// purge_unshare -- $dataset, $study
// Identity nodes shared with other datasets: the dataset leaves their datasets list and their
// provenance (attribute values stay; purge_orphan_attributes finds those only it gave).
MATCH (n)
WHERE n.study = $study AND $dataset IN n.datasets
SET n.datasets = [d IN n.datasets WHERE d <> $dataset],
    n.provenance = [p IN coalesce(n.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
RETURN count(*) AS n
