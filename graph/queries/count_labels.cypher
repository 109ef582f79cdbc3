// count_labels -- no parameters
MATCH (n)
RETURN labels(n) AS labels, count(*) AS n
