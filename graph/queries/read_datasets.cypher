// read_datasets -- no parameters
MATCH (d:Dataset)
RETURN d.id AS id, d.source AS source, d.sha256 AS sha256, d.loaded_at AS loaded_at,
       d.status AS status, d.simulated AS simulated, d.error AS error
ORDER BY d.id
