// datasets -- $study
// title: Datasets and their provenance
// description: Every dataset of the study: source file, SHA-256, load time, status, whether it is simulated, and how many nodes it wrote.
// param study: study = liaoning-sample
MATCH (d:Dataset {study: $study})
OPTIONAL MATCH (n)
WHERE n.study = $study AND n.dataset = d.id AND NOT n:Dataset
WITH d, count(n) AS nodes
RETURN d.id AS id, d.source AS source, d.sha256 AS sha256, d.loaded_at AS loaded_at,
       d.status AS status, d.simulated AS simulated, nodes
ORDER BY id
