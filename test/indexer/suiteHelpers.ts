import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { toDeploymentFile } from "../../deploy/deployment";
import type { Suite } from "../../deploy/suite";

/** Writes a deployment file naming every contract of the suite and returns its path. */
export function writeSuiteDeployment(chainId: number, suite: Suite): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-deployment-"));
  const file = path.join(dir, "test.json");
  writeFileSync(file, JSON.stringify(toDeploymentFile("test", chainId, suite)));
  return file;
}

/** The tables of tips, revenue and governance. */
export const TIP_TABLES = [
  "tips",
  "tip_credits",
  "tip_claims",
  "tip_fee_sweeps",
  "tip_fee_changes",
];
export const REVENUE_TABLES = [
  "revenue_deposits",
  "revenue_profile_credits",
  "revenue_credits",
  "revenue_distributions",
  "revenue_withdrawals",
  "allocation_changes",
];
export const GOVERNANCE_TABLES = [
  "proposals",
  "proposal_lifecycle_events",
  "votes",
  "governance_setting_changes",
  "timelock_operations",
  "governance_transfers",
  "delegate_changes",
  "delegate_votes_changes",
  "governance_accounts",
];

/** Row count and an md5 over the sorted text of every row, per table. */
export async function checksum(
  databaseUrl: string,
  tables: readonly string[],
): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const table of tables) {
      const result = await client.query<{ n: string; md5: string | null }>(
        `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM "${table}" t`,
      );
      out[table] = `${result.rows[0].n}:${result.rows[0].md5 ?? "-"}`;
    }
    return out;
  } finally {
    await client.end();
  }
}
