// replace_links -- $study, $method, $years: [int], $rows: [{source, target, weight, year, props}], $run_id, $source, $simulated, $edge_sets, $now
// One atomic statement: the write-back run becomes a complete Dataset of the study (kind 'run'),
// the study's LINKS of $method for $years are replaced (whoever owned them) by the run's own,
// and the run joins the datasets list of the cities it links.
MERGE (d:Dataset {id: $run_id})
ON CREATE SET d.loaded_at = $now
SET d.study = $study, d.kind = 'run', d.source = $source, d.sha256 = null,
    d.simulated = $simulated, d.edge_sets = $edge_sets, d.status = 'complete',
    d.completed_at = $now, d.dataset = $run_id, d.error = null
WITH d
OPTIONAL MATCH (:City {study: $study})-[old:LINKS {method: $method}]->()
WHERE old.year IN $years
DELETE old
WITH count(*) AS removed
UNWIND $rows AS row
MATCH (a:City {study: $study, name: row.source})
MATCH (b:City {study: $study, name: row.target})
SET a.datasets = CASE WHEN $run_id IN coalesce(a.datasets, []) THEN a.datasets
                      ELSE coalesce(a.datasets, []) + [$run_id] END,
    b.datasets = CASE WHEN $run_id IN coalesce(b.datasets, []) THEN b.datasets
                      ELSE coalesce(b.datasets, []) + [$run_id] END
CREATE (a)-[r:LINKS]->(b)
SET r += row.props, r.year = row.year, r.method = $method, r.weight = row.weight,
    r.run_id = $run_id, r.dataset = $run_id
RETURN count(r) AS n
