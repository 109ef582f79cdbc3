// create_series -- $rows: [{key, region, period, freq, props}], $dataset, $study
// Region time series: the Region identity node (study, name; the dataset joins its datasets),
// and one Observation per (region, freq, period) of THIS dataset, key 'region|<r>|<freq>|<period>'.
UNWIND $rows AS row
MERGE (g:Region {study: $study, name: row.region})
SET g.datasets = CASE WHEN $dataset IN coalesce(g.datasets, []) THEN g.datasets
                      ELSE coalesce(g.datasets, []) + [$dataset] END
CREATE (g)-[:OBSERVED {dataset: $dataset}]->(o:Observation {study: $study, dataset: $dataset,
                                                            key: row.key})
SET o += row.props, o.region = row.region, o.period = row.period, o.freq = row.freq
