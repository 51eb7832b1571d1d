import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, appendFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { openDatabase } from "../../indexer/db/database";
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from "../../indexer/db/migrate";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const logger = pino({ level: "silent" });

/** Every column, constraint and index of the public schema, migrator bookkeeping aside. */
async function describeSchema(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(
      `SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name,
                format_type(a.atttypid, a.atttypmod), is_nullable, column_default) AS line
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
       WHERE table_schema = 'public' AND table_name <> '_agora_migrations'
       UNION ALL
       SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_agora_migrations'
       UNION ALL
       SELECT format('index %s', indexdef) FROM pg_indexes
       WHERE schemaname = 'public' AND tablename <> '_agora_migrations'
       ORDER BY 1`,
    );
    return rows.map((row) => row.line);
  } finally {
    await client.end();
  }
}

describe("indexer: database schema and migrator", function () {
  describe("the committed migrations", function () {
    it("build the schema prisma/schema.prisma generates (prisma migrate diff, offline)", async function () {
      const result = spawnSync(
        "npx",
        [
          "prisma",
          "migrate",
          "diff",
          "--from-empty",
          "--to-schema-datamodel",
          "prisma/schema.prisma",
          "--script",
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, DATABASE_URL: ADMIN_URL, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
        },
      );
      expect(result.status, result.stderr).to.equal(0);
      const fromMigrations = await createTestDatabase("idx_schema_migrations");
      const fromSchema = await createTestDatabase("idx_schema_prisma");
      try {
        const migrated = new pg.Pool({ connectionString: fromMigrations.url });
        await migrate(migrated, logger);
        await migrated.end();
        const generated = new pg.Client({ connectionString: fromSchema.url });
        await generated.connect();
        await generated.query(result.stdout);
        await generated.end();
        const described = await describeSchema(fromMigrations.url);
        expect(described.length).to.be.greaterThan(100);
        expect(described).to.deep.equal(await describeSchema(fromSchema.url));
      } finally {
        await fromMigrations.drop();
        await fromSchema.drop();
      }
    });
  });

  describe("migrate()", function () {
    let db: TestDatabase;
    let pools: pg.Pool[];

    beforeEach(async function () {
      db = await createTestDatabase("idx_migrate");
      pools = [];
    });

    afterEach(async function () {
      for (const pool of pools) await pool.end();
      await db.drop();
    });

    const pool = () => {
      const created = new pg.Pool({ connectionString: db.url, max: 2 });
      // The drop in afterEach ends any session still open; that is expected, not a failure.
      created.on("error", () => undefined);
      pools.push(created);
      return created;
    };

    it("applies each migration once, even when two indexers start at the same time", async function () {
      const [first, second] = await Promise.all([migrate(pool(), logger), migrate(pool(), logger)]);
      const names = readMigrations().map((m) => m.name);
      expect([...first, ...second]).to.deep.equal(names);
      expect(await migrate(pool(), logger)).to.deep.equal([]);
      const { rows } = await pool().query("SELECT name FROM _agora_migrations ORDER BY name");
      expect(rows.map((r) => r.name)).to.deep.equal(names);
    });

    it("refuses to start when an applied migration was edited", async function () {
      await migrate(pool(), logger);
      const dir = mkdtempSync(path.join(os.tmpdir(), "agora-migrations-"));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const first = readMigrations(dir)[0];
      appendFileSync(path.join(dir, first.name, "migration.sql"), "\n-- edited\n");
      let error: unknown;
      await migrate(pool(), logger, dir).catch((e) => (error = e));
      expect(error).to.be.instanceOf(MigrationError);
      expect((error as Error).message).to.contain(`migration ${first.name} was changed`);
    });

    it("leaves nothing behind when a migration fails", async function () {
      const dir = mkdtempSync(path.join(os.tmpdir(), "agora-migrations-"));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const broken = path.join(dir, "9999_broken");
      cpSync(path.join(MIGRATIONS_DIR, readMigrations()[0].name), broken, { recursive: true });
      let error: unknown;
      await migrate(pool(), logger, dir).catch((e) => (error = e));
      expect((error as Error).message).to.match(/already exists/);
      const { rows } = await pool().query(
        "SELECT to_regclass('profiles') AS t, to_regclass('_agora_migrations') AS m",
      );
      expect(rows[0]).to.deep.equal({ t: null, m: null });
      expect(readFileSync(path.join(broken, "migration.sql"), "utf8")).to.contain("CREATE TABLE");
    });
  });

  describe("openDatabase().close()", function () {
    it("resolves only once the server has ended every session, so a server stopped next reports none of them", async function () {
      const database = await createTestDatabase("idx_pool_close");
      // Between the pool and the server: holds what the pool sends while `held`, as a busy
      // machine may leave the server's side of a closing session unscheduled.
      const held: Buffer[][] = [];
      let holding = false;
      const upstreams: net.Socket[] = [];
      const clients: net.Socket[] = [];
      const proxy = net.createServer({ allowHalfOpen: true }, (client) => {
        const upstream = net.connect(Number(new URL(database.url).port), "127.0.0.1");
        const queue: Buffer[] = [];
        held.push(queue);
        upstreams.push(upstream);
        clients.push(client);
        client.on("data", (chunk: Buffer) => (holding ? queue.push(chunk) : upstream.write(chunk)));
        client.on("end", () => (holding ? queue.push(Buffer.alloc(0)) : upstream.end()));
        upstream.pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const url = new URL(database.url);
      url.port = String((proxy.address() as net.AddressInfo).port);
      url.searchParams.set("application_name", "pool_close_test");
      const warnings: unknown[] = [];
      const recording = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const sessions = async () =>
        (
          await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pool_close_test'",
          )
        ).rows[0].n;
      try {
        const db = await openDatabase({
          url: url.toString(),
          embeddedDir: "",
          embeddedPort: 0,
          logger: recording,
        });
        // Two connections, both idle in the pool.
        await Promise.all([db.pool.query("SELECT pg_sleep(0.05)"), db.pool.query("SELECT 1")]);
        expect(db.pool.totalCount).to.equal(2);

        holding = true;
        let closed = false;
        const closing = db.close().then(() => (closed = true));
        // The server has not yet heard of the end: its sessions are there, and close() waits.
        expect(await sessions()).to.equal(2);
        expect(closed).to.equal(false);

        holding = false;
        upstreams.forEach((upstream, i) => {
          for (const chunk of held[i].splice(0)) {
            if (chunk.length === 0) upstream.end();
            else upstream.write(chunk);
          }
        });
        await closing;
        // What a stopping server does to the sessions still there: none are.
        const { rows } = await admin.query<{ terminated: boolean }>(
          "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'pool_close_test'",
        );
        expect(rows).to.deep.equal([]);
        expect(warnings).to.deep.equal([]);
      } finally {
        await admin.end();
        for (const socket of [...clients, ...upstreams]) socket.destroy();
        await new Promise((resolve) => proxy.close(resolve));
        await database.drop();
      }
    });
  });
});
