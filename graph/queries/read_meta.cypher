// read_meta -- no parameters
// The schema version of the store and the note of its last migration (no row: an empty store
// or one written before studies, schema version 1).
MATCH (m:Meta)
RETURN m.schema_version AS version, m.migrated_from AS migrated_from,
       m.migrated_at AS migrated_at, m.migration_note AS note
LIMIT 1
