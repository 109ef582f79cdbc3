// merge_observations -- $rows: [{key, city, year, props}], $dataset, $study
// One Observation per city-year of a study (keyed (study, key), key = 'city|<name>|<year>'),
// linked from its City.
UNWIND $rows AS row
MATCH (c:City {study: $study, name: row.city})
MERGE (o:Observation {study: $study, key: row.key})
SET o += row.props, o.city = row.city, o.year = row.year, o.dataset = $dataset,
    o.datasets = CASE WHEN $dataset IN coalesce(o.datasets, []) THEN o.datasets
                      ELSE coalesce(o.datasets, []) + [$dataset] END
MERGE (c)-[r:OBSERVED]->(o)
SET r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
