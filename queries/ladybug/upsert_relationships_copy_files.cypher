// Template: bulk-load new relationships held as Parquet files (the store splices in the
// list of their quoted paths), each with the columns upsert_relationships_copy takes.
COPY {rel_type} FROM $files (from='{from_table}', to='{to_table}')
