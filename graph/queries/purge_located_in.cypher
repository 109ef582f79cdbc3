// purge_located_in -- $dataset, $study
MATCH (:Enterprise {study: $study})-[r:LOCATED_IN]->()
WHERE r.dataset = $dataset
DELETE r
RETURN count(*) AS n
