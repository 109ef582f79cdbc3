// merge_enterprises -- $rows: [{id, city, props}], $dataset
// Enterprises and their LOCATED_IN relationship to a City (skipped when the city is unknown).
UNWIND $rows AS row
MERGE (e:Enterprise {id: row.id})
SET e += row.props, e.city = row.city, e.dataset = $dataset,
    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END
WITH e, row
MATCH (c:City {name: row.city})
MERGE (e)-[r:LOCATED_IN]->(c)
SET r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
