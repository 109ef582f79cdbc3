// migrate_v2_runs -- $now
// Schema 2 -> 3: links written back by a run (run_id) belong to a Dataset of kind 'run'.
MATCH (a:City)-[r:LINKS]->()
WHERE r.run_id IS NOT NULL
WITH DISTINCT a.study AS study, r.run_id AS run, r.method AS method
OPTIONAL MATCH (s:Dataset {study: study})
WHERE s.simulated = true
WITH study, run, method, count(s) > 0 AS sim
MERGE (d:Dataset {id: run})
ON CREATE SET d.study = study, d.kind = 'run', d.status = 'complete', d.loaded_at = $now,
    d.completed_at = $now, d.source = method + ' links written back by run ' + run,
    d.simulated = sim, d.dataset = run,
    d.edge_sets = ['city|' + method + '|' + CASE WHEN method = 'gravity' THEN 'true' ELSE 'null' END]
RETURN count(d) AS n
