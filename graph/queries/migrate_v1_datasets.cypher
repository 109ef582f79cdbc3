// migrate_v1_datasets -- no parameters
// Migration of a store written before studies: every Dataset, to choose the study name.
MATCH (d:Dataset)
RETURN d.id AS id, d.simulated AS simulated, d.source AS source
