// Template: one past the highest node offset in a label's table (deleted nodes leave their
// offsets behind, so this is not the count): the end of a scan paged by offset range.
MATCH (n:{label})
RETURN coalesce(max(offset(id(n))) + 1, 0) AS n
