// merge_enterprises -- $rows: [{id, city, props}], $dataset, $study
// The rows of an enterprises file (props hold the attributes, city included when given): the
// identity node (study, id) with datasets and provenance as in merge_cities, and the dataset's
// own LOCATED_IN to the City of the same study (none when the city is not given).
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
SET e += row.props,
    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END,
    e.provenance = [p IN coalesce(e.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
                   + [k IN keys(row.props) | $dataset + '|' + k]
WITH e, row
MATCH (c:City {study: $study, name: row.city})
CREATE (e)-[:LOCATED_IN {dataset: $dataset}]->(c)
