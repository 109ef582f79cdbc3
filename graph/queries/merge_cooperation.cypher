// merge_cooperation -- $rows: [{source, target, weight, year}], $dataset
// One COOPERATES per (source, target, year); year 0 means "no year given".
UNWIND $rows AS row
MATCH (a:Enterprise {id: row.source})
MATCH (b:Enterprise {id: row.target})
MERGE (a)-[r:COOPERATES {year: row.year}]->(b)
SET r.weight = row.weight, r.dataset = $dataset,
    r.datasets = CASE WHEN $dataset IN coalesce(r.datasets, []) THEN r.datasets
                      ELSE coalesce(r.datasets, []) + [$dataset] END
