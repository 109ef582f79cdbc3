// neo4j_claim_dataset -- $id, $study, $source, $sha256, $simulated, $edge_sets, $now, $version
// The first statement of a small load's ONE transaction (Neo4jStore.load_bundle): the Study node
// and the schema marker (merge_study), then the Dataset node when it does not exist, created
// as merge_dataset + set_dataset_status 'complete' would leave it: the transaction is the whole
// load, so no reader sees it before every row is written (and none ever if it rolls back). An
// existing Dataset is not changed (the transaction is then rolled back and the load goes the
// way of its state, GraphStore._load_state). The
// MERGE holds the unique (id) index entry, so a concurrent load of the same new dataset waits
// for this transaction and then finds it. The status 'claimed' lives inside this statement only.
MERGE (s:Study {name: $study})
ON CREATE SET s.created_at = $now
MERGE (m:Meta {name: 'schema'})
ON CREATE SET m.schema_version = $version
MERGE (d:Dataset {id: $id})
ON CREATE SET d.status = 'claimed'
WITH d, d.status = 'claimed' AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  SET d.loaded_at = $now, d.dataset = $id, d.study = $study, d.source = $source,
      d.sha256 = $sha256, d.simulated = $simulated, d.status = 'complete',
      d.edge_sets = $edge_sets, d.completed_at = $now)
RETURN created, d.status AS status, d.study AS study, d.sha256 AS sha256
