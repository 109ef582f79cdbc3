// delete_study_node -- $study
MATCH (s:Study {name: $study})
DELETE s
RETURN count(*) AS n
