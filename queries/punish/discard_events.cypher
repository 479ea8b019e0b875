// Delete change-feed events of a run that never committed (no reader ever saw them).
MATCH (c:ChangeEvent)
WHERE c.uid IN $uids
DELETE c
