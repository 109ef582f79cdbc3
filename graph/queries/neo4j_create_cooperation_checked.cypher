// neo4j_create_cooperation_checked -- $rows: [[source elementId, target elementId, weight, year, source, target]], $dataset, $study
// neo4j_create_cooperation for a batched load: both enterprises found by the elementIds that
// this load's enterprise MERGE returned in an earlier transaction, and checked to still be the
// study's enterprise with that id (an elementId can be reused once its node is deleted). It
// returns how many relationships it created: fewer than the rows means a node was deleted or
// replaced meanwhile; the caller then rolls the batch back and writes it with
// neo4j_create_cooperation (the index seeks), so the relationships are always the ones that
// statement creates (docs/design/load-speed.md, "Batched loads by elementId").
// The keys are compared as lists: the planner would turn `a.study = $study AND a.id = row[4]`
// into a seek of the (study, id) index (the cost this statement avoids) instead of a filter.
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row[0]
MATCH (b) WHERE elementId(b) = row[1]
WITH row, a, b
WHERE a:Enterprise AND b:Enterprise AND [a.study, a.id, b.study, b.id] = [$study, row[4], $study, row[5]]
CREATE (a)-[:COOPERATES {year: row[3], weight: row[2], dataset: $dataset}]->(b)
RETURN count(*) AS created
