-- People who move (issue 16): a person's status (active, left, on_leave) and the day they
-- left. Everyone stored so far is active.
ALTER TABLE people ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE people ADD COLUMN left_on TEXT;
