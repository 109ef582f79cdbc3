// read_dataset_kind -- $id
// 'dataset' (a load) or 'run' (links written back by Study.write_links); no row when absent.
MATCH (d:Dataset {id: $id})
RETURN coalesce(d.kind, 'dataset') AS kind
