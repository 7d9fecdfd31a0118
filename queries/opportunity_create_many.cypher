// Create deals known to be new. Parameters: $rows (opportunity property maps).
UNWIND $rows AS row
CREATE (o:Opportunity)
SET o = row
