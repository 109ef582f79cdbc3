// neo4j_merge_enterprise_nodes_eid -- $rows: [{id, city, props}], $dataset, $study
// neo4j_merge_enterprise_nodes, returning each node's elementId for the statements after it in
// the same (single-transaction) load (one record of two lists: a record per row costs ~40 %
// more server time): neo4j_create_located_in_eid and
// neo4j_create_cooperation_eid find the nodes by elementId instead of a locking seek of the
// unique (study, id) index per row (4x less server time, docs/design/load-speed.md). The node
// is locked by this MERGE until the transaction ends, so its elementId stays its own.
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
ON CREATE SET e += row.props, e.datasets = [$dataset],
    e.provenance = [k IN keys(row.props) | $dataset + '|' + k]
ON MATCH SET e += row.props,
    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END,
    e.provenance = [p IN coalesce(e.provenance, []) WHERE NOT (p STARTS WITH ($dataset + '|'))]
                   + [k IN keys(row.props) | $dataset + '|' + k]
RETURN collect(row.id) AS ids, collect(elementId(e)) AS eids
