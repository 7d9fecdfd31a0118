-- A team member's version for If-Match checks, under the write lock.
-- Parameters: :tenant, :member_id.
SELECT version FROM team_members WHERE tenant = :tenant AND id = :member_id
