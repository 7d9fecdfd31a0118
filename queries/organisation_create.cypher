// Parameters: $row (all organisation properties).
CREATE (o:Organisation)
SET o = $row
RETURN properties(o) AS node
