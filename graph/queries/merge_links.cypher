// merge_links -- $rows: [{source, target, weight, year, method, props}], $dataset, $study
// One LINKS per (source, target, year, method) between cities of the study.
UNWIND $rows AS row
MATCH (a:City {study: $study, name: row.source})
MATCH (b:City {study: $study, name: row.target})
MERGE (a)-[r:LINKS {year: row.year, method: row.method}]->(b)
SET r += row.props, r.weight = row.weight, r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
