// merge_cities -- $rows: [{name, props}], $dataset, $study
// Cities are keyed per study: (study, name).
UNWIND $rows AS row
MERGE (c:City {study: $study, name: row.name})
SET c += row.props, c.dataset = $dataset,
    c.datasets = CASE WHEN $dataset IN coalesce(c.datasets, []) THEN c.datasets
                      ELSE coalesce(c.datasets, []) + [$dataset] END
