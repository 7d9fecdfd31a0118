// Create organisations that are known to be new (fresh ids).
// Parameters: $rows (list of organisation property maps).
UNWIND $rows AS row
CREATE (o:Organisation)
SET o = row
