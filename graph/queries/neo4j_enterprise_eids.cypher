// neo4j_enterprise_eids -- $ids: [id], $study
// The elementIds of the study's enterprises with these ids (a cooperation endpoint that no
// MERGE of the same load returned: see neo4j_merge_enterprise_nodes).
UNWIND $ids AS id
MATCH (e:Enterprise {study: $study, id: id})
RETURN collect(id) AS ids, collect(elementId(e)) AS eids
