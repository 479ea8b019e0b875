// Template: bulk-load new nodes of one label held as Parquet files (the store splices in
// the list of their quoted paths), each with the columns upsert_nodes_copy takes.
COPY {label} FROM $files
