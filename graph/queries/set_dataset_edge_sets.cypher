// set_dataset_edge_sets -- $rows: [{id, edge_sets}]
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
SET d.edge_sets = row.edge_sets
