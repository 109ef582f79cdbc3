// count_types -- no parameters
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS n
