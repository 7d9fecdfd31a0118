// Store new interactions. Parameters: $rows (interaction property maps).
UNWIND $rows AS row
CREATE (i:Interaction)
SET i = row
