// merge_cooperation -- $rows: [{source, target, weight, year}], $dataset, $study
// One COOPERATES per (source, target, year); year 0 means "no year given".
// ON CREATE / ON MATCH: a new relationship's dataset list is [$dataset] without reading it back.
UNWIND $rows AS row
MATCH (a:Enterprise {study: $study, id: row.source})
MATCH (b:Enterprise {study: $study, id: row.target})
MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
ON CREATE SET r.weight = row.weight, r.dataset = $dataset, r.datasets = [$dataset]
ON MATCH SET r.weight = row.weight, r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
