// merge_enterprises -- $rows: [{id, city, props}], $dataset, $study
// Enterprises (keyed per study: (study, id)) and their LOCATED_IN relationship to a City of the
// same study (skipped when the city is unknown).
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
SET e += row.props, e.city = row.city, e.dataset = $dataset,
    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END
WITH e, row
MATCH (c:City {study: $study, name: row.city})
MERGE (e)-[r:LOCATED_IN]->(c)
SET r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
