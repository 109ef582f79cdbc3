// write_meta -- $version, $migrated_from, $now, $note
// The schema-version marker, with the note of the migration that set it.
MERGE (m:Meta {name: 'schema'})
SET m.schema_version = $version, m.migrated_from = $migrated_from, m.migrated_at = $now,
    m.migration_note = $note
