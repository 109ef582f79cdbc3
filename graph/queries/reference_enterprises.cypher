// reference_enterprises -- $rows: [{id}], $dataset, $study
// Enterprises a cooperation file refers to that the dataset's enterprises file (if any) does
// not list: the dataset joins their datasets list; one the study does not have yet is created
// without attributes.
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
SET e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END
