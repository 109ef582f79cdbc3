// purge_cooperation -- $dataset, $study
MATCH (:Enterprise {study: $study})-[r:COOPERATES]->()
WHERE r.dataset = $dataset
DELETE r
RETURN count(*) AS n
