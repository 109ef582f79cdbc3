// mark_study_deleting -- $study
// Neo4j deletes a study in batches: mark it first, so that reads refuse a half-deleted study.
MATCH (s:Study {name: $study})
SET s.status = 'deleting'
RETURN count(s) AS n
