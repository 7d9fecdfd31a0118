// People who move (issue 16): a person's status (active, left, on_leave) and the day they
// left. Everyone stored so far is active.
MATCH (p:Person) WHERE p.status IS NULL
SET p.status = 'active';
