// merge_series -- $rows: [{key, region, period, freq, props}], $dataset, $study
// Region time series: one Observation per (study, region, freq, period),
// key = 'region|<r>|<freq>|<period>'; Regions are keyed (study, name).
UNWIND $rows AS row
MERGE (g:Region {study: $study, name: row.region})
SET g.dataset = $dataset,
    g.datasets = CASE WHEN $dataset IN coalesce(g.datasets, []) THEN g.datasets
                      ELSE coalesce(g.datasets, []) + [$dataset] END
MERGE (o:Observation {study: $study, key: row.key})
SET o += row.props, o.region = row.region, o.period = row.period, o.freq = row.freq,
    o.dataset = $dataset,
    o.datasets = CASE WHEN $dataset IN coalesce(o.datasets, []) THEN o.datasets
                      ELSE coalesce(o.datasets, []) + [$dataset] END
MERGE (g)-[r:OBSERVED]->(o)
SET r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
