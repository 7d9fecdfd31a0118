// Parameters: $rows (list of person property maps; roles as a list).
UNWIND $rows AS row
CREATE (p:Person)
SET p = row
