CREATE INDEX team_member_tenant IF NOT EXISTS FOR (n:TeamMember) ON (n.tenant)
