// datasets -- no parameters
// title: Datasets and their provenance
// description: Every loaded dataset: source file, SHA-256, load time, status, whether it is simulated, and how many nodes it wrote.
MATCH (d:Dataset)
OPTIONAL MATCH (n)
WHERE n.dataset = d.id AND NOT n:Dataset
WITH d, count(n) AS nodes
RETURN d.id AS id, d.source AS source, d.sha256 AS sha256, d.loaded_at AS loaded_at,
       d.status AS status, d.simulated AS simulated, nodes
ORDER BY id
