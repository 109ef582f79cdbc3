// delete_study -- $study
// Embedded: every node of the study with its relationships, in one (atomic) statement.
MATCH (n)
WHERE n.study = $study
DETACH DELETE n
RETURN count(*) AS n
