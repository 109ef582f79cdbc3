// neo4j_merge_enterprise_nodes -- $rows: [{id, city, props}], $dataset, $study
// Neo4j's merge_enterprises, part 1: the Enterprise nodes. merge_enterprises does this and the
// LOCATED_IN in one statement, for which Neo4j plans three Eager operators (SET e += row.props
// may write what MERGE and the City MATCH read); split, one Eager is left (the dynamic map).
// A new node (the common case of a load) gets its lists directly (ON CREATE: ~20 % less server
// time per node than the list arithmetic of ON MATCH, docs/design/load-speed.md); the result
// is the same as ON MATCH would give on an empty node.
// It returns one record of two lists, the ids and the nodes' elementIds: a single-transaction
// load writes LOCATED_IN and COOPERATES by elementId (neo4j_create_located_in_eid,
// neo4j_create_cooperation_eid) instead of a locking seek of the unique (study, id) index per
// row (4x less server time, docs/design/load-speed.md); the node is locked by this MERGE until
// the transaction ends, so its elementId stays its own. One record costs nothing measurable
// (a record per row: ~40 % more server time). A batched load keeps the elementIds too and
// writes by them across its transactions, each end checked against its key
// (neo4j_create_cooperation_checked, neo4j_create_located_in_checked).
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
