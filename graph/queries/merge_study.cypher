// merge_study -- $study, $now, $version
// The Study node a load writes into (created_at on create), and the schema-version marker.
MERGE (s:Study {name: $study})
ON CREATE SET s.created_at = $now
MERGE (m:Meta {name: 'schema'})
ON CREATE SET m.schema_version = $version
