import { execFileSync, execSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import { deploySuite } from "../../deploy/suite";
import type { Indexer } from "../../indexer/indexer";
import {
  checksumTables,
  createTestDatabase,
  indexToHead,
  randomActivity,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type Actor,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

async function checkpoint(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT chain_id, block_number, block_hash, contracts FROM sync_checkpoint",
    );
    return JSON.stringify(rows);
  } finally {
    await client.end();
  }
}

describe("backup and restore: pg_dump of an indexed database, restored, resumes to what a fresh index holds", function () {
  this.timeout(300_000);
  const bin = execSync("pg_config --bindir", { encoding: "utf8" }).trim();
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];
  let rpc: RpcServer;
  let folder: string;

  after(async function () {
    for (const indexer of indexers) await indexer.stop();
    for (const db of databases) await db.drop();
    await rpc?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("restores a dump into a new database, resumes from its checkpoint and catches up exactly", async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    const registry = suite.profileRegistry.contract;
    const actors: Actor[] = [];
    for (let i = 1; i <= 4; i++) {
      await (await registry.connect(signers[i]).register(`backup_${i}`, `ipfs://b${i}`)).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    await randomActivity(registry, actors, 40, 14_001);
    rpc = await serveProvider(hre.network.provider);
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    const config = (url: string) =>
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: url, deploymentFile }));

    const source = await createTestDatabase("backup_source");
    databases.push(source);
    const original = await indexToHead(config(source.url));
    indexers.push(original);

    folder = mkdtempSync(path.join(os.tmpdir(), "agora-backup-"));
    const dump = path.join(folder, "agora.dump");
    // While the indexer runs: pg_dump reads one consistent snapshot.
    execFileSync(path.join(bin, "pg_dump"), ["--format=custom", "--file", dump, source.url]);
    expect(statSync(dump).size).to.be.greaterThan(0);
    const dumpedAt = await checkpoint(source.url);

    // The chain moves on after the backup.
    await randomActivity(registry, actors, 40, 14_002);

    const restored = await createTestDatabase("backup_restored");
    databases.push(restored);
    execFileSync(path.join(bin, "pg_restore"), [
      "--no-owner",
      "--exit-on-error",
      "--dbname",
      restored.url,
      dump,
    ]);
    expect(await checkpoint(restored.url), "restored at the dump's checkpoint").to.equal(dumpedAt);
    const resumed = await indexToHead(config(restored.url));
    indexers.push(resumed);

    const fresh = await createTestDatabase("backup_fresh");
    databases.push(fresh);
    indexers.push(await indexToHead(config(fresh.url)));

    expect(await checkpoint(restored.url)).to.equal(await checkpoint(fresh.url));
    expect(await checkpoint(restored.url)).to.not.equal(dumpedAt);
    const expected = await checksumTables(fresh.url);
    expect(Object.keys(expected).length).to.be.greaterThan(10);
    expect(await checksumTables(restored.url)).to.deep.equal(expected);
  });
});
