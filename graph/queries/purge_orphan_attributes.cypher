// purge_orphan_attributes -- $dataset, $study
// Shared identity nodes on which the dataset gave an attribute that no other dataset gave: their
// label, key, properties and provenance (the store rebuilds them without those attributes).
MATCH (n)
WHERE n.study = $study AND $dataset IN n.datasets AND size(n.datasets) > 1
  AND any(p IN coalesce(n.provenance, []) WHERE p STARTS WITH ($dataset + '|'))
RETURN labels(n) AS labels, properties(n) AS p
