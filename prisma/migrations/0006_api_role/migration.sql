-- The API's role, agora_api: it may read the indexed tables and nothing else. The API connects
-- as a member of it (a login role created by the operator, see docs/api.md "Database role"),
-- so no query of the API can write, whatever its session settings say. Roles belong to the
-- whole server: the role is created once and granted in each database it reads.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agora_api') THEN
    BEGIN
      CREATE ROLE agora_api NOLOGIN;
    EXCEPTION
      -- The migration of another database on the same server created it at the same time.
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the role agora_api does not exist and % may not create roles: as an administrator run CREATE ROLE agora_api NOLOGIN, then start the indexer again (docs/api.md, "Database role")', current_user;
    END;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO agora_api;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO agora_api;
-- The migrations' own bookkeeping is not data.
REVOKE ALL ON "_agora_migrations" FROM agora_api;
-- Tables later migrations create are readable too, and only readable.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO agora_api;
