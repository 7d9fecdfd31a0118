// Parameters: $rows (list of team member property maps).
UNWIND $rows AS row
CREATE (t:TeamMember)
SET t = row
