// wipe_all -- no parameters (tests and `delete everything` only)
MATCH (n)
DETACH DELETE n
