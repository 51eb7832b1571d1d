import { expect } from "chai";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import type { ContractTransactionResponse, Signer } from "ethers";
import { deployCoins } from "../../deploy/coins";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { FEE_CHANGE_DELAY } from "../../indexer/handlers/coins";
import type { Indexer } from "../../indexer/indexer";
import type { CreatorCoinFactory } from "../../typechain-types";
import {
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const provider = hre.network.provider;
const MIGRATION = path.join(
  __dirname,
  "../../prisma/migrations/0013_fee_change_effective_time/migration.sql",
);

const RATES = `{ coinFeeRates {
  asOf protocolFeeBps referrerShareBps
  pendingProtocolFee { newBps effectiveAt state }
  pendingReferrerShare { newBps effectiveAt state }
} }`;
const CHANGES = `{ coinFeeRateChanges(first: 100) { nodes {
  blockNumber logIndex rate oldBps newBps loggedAt effectiveAt state
  supersededBlockNumber supersededLogIndex
} } }`;

async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = (await (await tx).wait())!;
  const block = (await hre.ethers.provider.getBlock(receipt.blockNumber))!;
  return { blockNumber: receipt.blockNumber, timestamp: BigInt(block.timestamp) };
}

describe("indexer and API: when a factory rate change takes effect", function () {
  let rpc: RpcServer;
  let factory: CreatorCoinFactory;
  let governance: Signer;
  let deploymentFile: string;
  let indexer: Indexer;
  let db: TestDatabase;
  let pool: pg.Pool;
  let api: Api;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];

  async function start() {
    const fresh = await createTestDatabase("fee_changes");
    databases.push(fresh);
    const started = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: fresh.url, deploymentFile })),
    );
    indexers.push(started);
    return { indexer: started, db: fresh };
  }

  async function query(target: TestDatabase, sql: string): Promise<Json[]> {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  async function data(source: string): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: source }),
    });
    const reply = (await response.json()) as { data?: Json; errors?: Json[] };
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  /** Indexes to the head and reads the rates and changes the API serves. */
  async function synced(): Promise<{ rates: Json; changes: Json[] }> {
    await indexer.sync.syncToHead();
    return {
      rates: (await data(RATES)).coinFeeRates,
      changes: (await data(CHANGES)).coinFeeRateChanges.nodes,
    };
  }

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const [deployer] = signers;
    governance = signers[1];
    const suite = await deploySuite(deployer);
    const deployed = await deployCoins(
      deployer,
      suite.profileRegistry.address,
      suite.revenueSplit.address,
      await governance.getAddress(),
    );
    factory = deployed.creatorCoinFactory.contract;
    deploymentFile = path.join(mkdtempSync(path.join(os.tmpdir(), "agora-deployment-")), "t.json");
    writeFileSync(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        commit: "test",
        contracts: {
          ProfileRegistry: {
            address: suite.profileRegistry.address.toLowerCase(),
            blockNumber: suite.profileRegistry.blockNumber,
          },
          CreatorCoinFactory: {
            address: deployed.creatorCoinFactory.address.toLowerCase(),
            blockNumber: deployed.creatorCoinFactory.blockNumber,
          },
        },
      }),
    );
    rpc = await serveProvider(provider);
    ({ indexer, db } = await start());
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      limits: { cacheTtlMs: 0 },
      fallbackPollMs: 0,
    });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    for (const started of indexers) await started.stop();
    for (const created of databases) await created.drop();
    await rpc?.close();
  });

  it("uses the factory's FEE_CHANGE_DELAY", async function () {
    expect(await factory.FEE_CHANGE_DELAY()).to.equal(FEE_CHANGE_DELAY);
  });

  it("applies the rates the factory was deployed with from its deployment block", async function () {
    const { rates, changes } = await synced();
    const deployedAt = BigInt(
      (await hre.ethers.provider.getBlock(Number(changes[0].blockNumber)))!.timestamp,
    );
    expect(changes.map((c: Json) => [c.rate, c.oldBps, c.newBps, c.state])).to.deep.equal([
      ["protocolFeeBps", 0, 100, "EFFECTIVE"],
      ["referrerShareBps", 0, 2000, "EFFECTIVE"],
    ]);
    for (const change of changes) {
      expect(change.loggedAt).to.equal(deployedAt.toString());
      expect(change.effectiveAt).to.equal(deployedAt.toString());
    }
    expect(rates).to.deep.equal({
      asOf: rates.asOf,
      protocolFeeBps: Number(await factory.protocolFeeBps()),
      referrerShareBps: Number(await factory.referrerShareBps()),
      pendingProtocolFee: null,
      pendingReferrerShare: null,
    });
  });

  it("keeps a change pending until its effective time, then serves it as current", async function () {
    const logged = await mined(factory.connect(governance).setProtocolFeeBps(250));
    const effectiveAt = logged.timestamp + FEE_CHANGE_DELAY;
    const [, onChainAt] = await factory.pendingProtocolFee();
    expect(onChainAt).to.equal(effectiveAt);

    let { rates } = await synced();
    expect(rates.asOf).to.equal(logged.timestamp.toString());
    expect(rates.protocolFeeBps).to.equal(100);
    expect(rates.pendingProtocolFee).to.deep.equal({
      newBps: 250,
      effectiveAt: effectiveAt.toString(),
      state: "PENDING",
    });

    // A block one second before the change's time: still the old rate.
    await time.increaseTo(effectiveAt - 1n);
    ({ rates } = await synced());
    expect(rates.asOf).to.equal((effectiveAt - 1n).toString());
    expect(rates.protocolFeeBps).to.equal(100);
    expect(rates.pendingProtocolFee.newBps).to.equal(250);

    // The first block at its time: the new rate, nothing pending.
    await time.increaseTo(effectiveAt);
    const { rates: after, changes } = await synced();
    expect(after.asOf).to.equal(effectiveAt.toString());
    expect(after.protocolFeeBps).to.equal(250);
    expect(after.pendingProtocolFee).to.equal(null);
    expect(changes.at(-1)).to.include({ newBps: 250, state: "EFFECTIVE" });
  });

  it("never serves a change replaced before its time, not even after that time", async function () {
    const first = await mined(factory.connect(governance).setReferrerShareBps(3000));
    await time.increase(24 * 3600);
    const second = await mined(factory.connect(governance).setReferrerShareBps(4000));
    const [pendingBps, pendingAt] = await factory.pendingReferrerShare();
    expect([pendingBps, pendingAt]).to.deep.equal([4000n, second.timestamp + FEE_CHANGE_DELAY]);

    let { rates, changes } = await synced();
    const replaced = changes.find((c: Json) => c.newBps === 3000);
    expect(replaced).to.include({
      oldBps: 2000,
      effectiveAt: (first.timestamp + FEE_CHANGE_DELAY).toString(),
      state: "SUPERSEDED",
      supersededBlockNumber: String(second.blockNumber),
    });
    // The replacing change names the pending rate it replaced.
    expect(changes.at(-1)).to.include({ oldBps: 3000, newBps: 4000, state: "PENDING" });
    expect(rates.referrerShareBps).to.equal(2000);
    expect(rates.pendingReferrerShare).to.deep.equal({
      newBps: 4000,
      effectiveAt: pendingAt.toString(),
      state: "PENDING",
    });

    // Past the replaced change's time, before the replacing one's: the rate has not moved.
    await time.increaseTo(first.timestamp + FEE_CHANGE_DELAY + 60n);
    ({ rates, changes } = await synced());
    expect(rates.referrerShareBps).to.equal(2000);
    expect(rates.pendingReferrerShare.newBps).to.equal(4000);
    expect(changes.find((c: Json) => c.newBps === 3000).state).to.equal("SUPERSEDED");

    await time.increaseTo(pendingAt);
    ({ rates } = await synced());
    expect(rates.referrerShareBps).to.equal(4000);
    expect(rates.pendingReferrerShare).to.equal(null);
  });

  it("on a reorg that drops the replacing change, serves the replaced one as pending again", async function () {
    const kept = await mined(factory.connect(governance).setProtocolFeeBps(300));
    await indexer.sync.syncToHead();
    const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    // Chain A: governance replaces the pending 300 with 400.
    await mined(factory.connect(governance).setProtocolFeeBps(400));
    let { rates, changes } = await synced();
    expect(changes.find((c: Json) => c.newBps === 300).state).to.equal("SUPERSEDED");
    expect(rates.pendingProtocolFee.newBps).to.equal(400);

    // Chain B: longer, without the replacement.
    expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
    for (let i = 0; i < 3; i++) await provider.request({ method: "evm_mine", params: [] });
    const reorgs = indexer.metrics.reorgs.value();
    ({ rates, changes } = await synced());
    expect(indexer.metrics.reorgs.value()).to.equal(reorgs + 1);
    expect(changes.map((c: Json) => c.newBps)).to.not.include(400);
    expect(changes.at(-1)).to.include({
      newBps: 300,
      effectiveAt: (kept.timestamp + FEE_CHANGE_DELAY).toString(),
      state: "PENDING",
      supersededBlockNumber: null,
      supersededLogIndex: null,
    });
    expect(rates).to.include({ protocolFeeBps: 250 });
    expect(rates.pendingProtocolFee.newBps).to.equal(300);

    // The rolled-back table equals a fresh index of chain B.
    const table = "SELECT * FROM coin_fee_rate_changes ORDER BY block_number, log_index";
    const fresh = await start();
    expect(await query(db, table)).to.deep.equal(await query(fresh.db, table));
  });

  it("the migration fills the table from changes indexed before it, by the same rule", async function () {
    const table = "SELECT * FROM coin_fee_rate_changes ORDER BY block_number, log_index";
    const indexed = await query(db, table);
    expect(indexed.filter((row: Json) => row.superseded_block_number !== null)).to.have.length(1);
    const sql = readFileSync(MIGRATION, "utf8");
    const backfill = sql.slice(sql.indexOf("-- Backfill"));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query("DELETE FROM coin_fee_rate_changes");
      await client.query(backfill);
      expect((await client.query(table)).rows).to.deep.equal(indexed);
    } finally {
      await client.query("ROLLBACK");
      await client.end();
    }
  });
});
