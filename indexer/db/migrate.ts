import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { projectRoot } from "../root";
import { inTransaction } from "./database";

export const MIGRATIONS_DIR = path.join(projectRoot(), "prisma", "migrations");

// Any constant works; it only has to be the same for every indexer sharing a database.
const MIGRATION_LOCK_KEY = 7_240_501;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Migrations generated from prisma/schema.prisma, in the order of their folder names. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")),
    )
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export class MigrationError extends Error {}

/**
 * Applies the migrations not yet applied, all in one transaction under an advisory lock, so
 * that concurrent starts apply each migration once and a failed one leaves nothing behind.
 * A migration that was applied and then edited stops the start: the fix is a new migration.
 */
export async function migrate(
  pool: pg.Pool,
  logger: Logger,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrations = readMigrations(dir);
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_agora_migrations" (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Map<string, string>(
      (
        await client.query<{ name: string; checksum: string }>(
          `SELECT name, checksum FROM "_agora_migrations"`,
        )
      ).rows.map((row) => [row.name, row.checksum]),
    );
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.name} was changed after it was applied; restore it and add a new migration instead`,
          );
        }
        continue;
      }
      await client.query(migration.sql);
      await client.query(`INSERT INTO "_agora_migrations" (name, checksum) VALUES ($1, $2)`, [
        migration.name,
        migration.checksum,
      ]);
      logger.info({ migration: migration.name }, "migration applied");
      done.push(migration.name);
    }
    return done;
  });
}
