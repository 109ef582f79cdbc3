// purge_links -- $dataset, $study
MATCH (:City {study: $study})-[r:LINKS]->()
WHERE r.dataset = $dataset
DELETE r
RETURN count(*) AS n
