// migrate_v1_set_study -- $study
// Migration of a store written before studies: every node without a study joins $study.
MATCH (n)
WHERE n.study IS NULL AND NOT n:Meta AND NOT n:Study
SET n.study = $study
RETURN count(n) AS n
