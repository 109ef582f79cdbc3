// neo4j_merge_enterprise_nodes -- $rows: [{id, city, props}], $dataset, $study
// Neo4j's merge_enterprises, part 1: the Enterprise nodes. merge_enterprises does this and the
// LOCATED_IN in one statement, for which Neo4j plans three Eager operators (SET e += row.props
// may write what MERGE and the City MATCH read); split, one Eager is left (the dynamic map).
UNWIND $rows AS row
MERGE (e:Enterprise {study: $study, id: row.id})
SET e += row.props, e.city = row.city, e.dataset = $dataset,
    e.datasets = CASE WHEN $dataset IN coalesce(e.datasets, []) THEN e.datasets
                      ELSE coalesce(e.datasets, []) + [$dataset] END
