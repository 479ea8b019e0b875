// Template: bulk-load new relationships from an Arrow table (from, to, then properties
// typed and in the table's column order). Rel tables with several FROM/TO pairs need the
// pair named; the names are schema names, quoted as strings here.
COPY {rel_type} FROM $rows (from='{from_table}', to='{to_table}')
