// Template: bulk-load new nodes of one label from an Arrow table whose columns are typed
// and in the table's column order (COPY matches columns by position).
COPY {label} FROM $rows
