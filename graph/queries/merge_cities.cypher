// merge_cities -- $rows: [{name, props}], $dataset, $study
// The rows of a cities file: the identity node (study, name), its attributes, the dataset in
// its datasets list, and which attributes this dataset gave in provenance ('<dataset>|<prop>').
UNWIND $rows AS row
MERGE (c:City {study: $study, name: row.name})
SET c += row.props,
    c.datasets = CASE WHEN $dataset IN coalesce(c.datasets, []) THEN c.datasets
                      ELSE coalesce(c.datasets, []) + [$dataset] END,
    c.provenance = [p IN coalesce(c.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
                   + [k IN keys(row.props) | $dataset + '|' + k]
