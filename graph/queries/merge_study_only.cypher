// merge_study_only -- $study, $now
MERGE (s:Study {name: $study})
ON CREATE SET s.created_at = $now
