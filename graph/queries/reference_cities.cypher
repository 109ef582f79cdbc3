// reference_cities -- $rows: [{name}], $dataset, $study
// Cities the dataset refers to (indicators, enterprises, links) without giving attributes: the
// dataset joins their datasets list (so deleting the cities dataset never detaches its data);
// a city the study does not have yet is created without attributes.
UNWIND $rows AS row
MERGE (c:City {study: $study, name: row.name})
SET c.datasets = CASE WHEN $dataset IN coalesce(c.datasets, []) THEN c.datasets
                      ELSE coalesce(c.datasets, []) + [$dataset] END
