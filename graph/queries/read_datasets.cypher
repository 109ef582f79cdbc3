// read_datasets -- $study (null = every study)
MATCH (d:Dataset)
WHERE $study IS NULL OR d.study = $study
RETURN d.id AS id, d.study AS study, d.source AS source, d.sha256 AS sha256,
       d.loaded_at AS loaded_at, d.status AS status, d.simulated AS simulated, d.error AS error,
       d.edge_sets AS edge_sets
ORDER BY d.id
