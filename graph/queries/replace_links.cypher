// replace_links -- $study, $method, $years: [int], $rows: [{source, target, weight, year, props}], $run_id
// Atomically replace the LINKS of one method for the given years in one study (e.g. a gravity
// network).
OPTIONAL MATCH (:City {study: $study})-[old:LINKS {method: $method}]->()
WHERE old.year IN $years
DELETE old
WITH count(*) AS removed
UNWIND $rows AS row
MATCH (a:City {study: $study, name: row.source})
MATCH (b:City {study: $study, name: row.target})
CREATE (a)-[r:LINKS {year: row.year, method: $method}]->(b)
SET r += row.props, r.weight = row.weight, r.run_id = $run_id, r.dataset = $run_id,
    r.datasets = [$run_id]
RETURN count(r) AS n
