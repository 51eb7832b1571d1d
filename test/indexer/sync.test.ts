import { expect } from "chai";
import hre from "hardhat";
import pino from "pino";
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent } from "viem";
import { deploySuite } from "../../deploy/suite";
import { createIndexer } from "../../indexer/indexer";
import { PROFILE_REGISTRY_EVENTS } from "../../indexer/handlers/profileRegistry";
import { SOCIAL_GRAPH_EVENTS } from "../../indexer/handlers/socialGraph";
import { createLogDecoder, DecodedString } from "../../indexer/sync/decode";
import { isRangeError, type RpcLog } from "../../indexer/sync/rpc";
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

const signature = (event: AbiEvent) =>
  `${toEventSelector(event)} ${event.inputs.map((i) => `${i.indexed ? "indexed " : ""}${i.type} ${i.name}`).join(", ")}`;

describe("indexer: sync", function () {
  let registryAddress: string;
  let deploymentFile: string;
  const servers: RpcServer[] = [];
  const databases: TestDatabase[] = [];
  let plain: RpcServer;
  let reference: Record<string, string>;

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    const registry = suite.profileRegistry.contract;
    registryAddress = suite.profileRegistry.address;
    const actors: Actor[] = [];
    for (let i = 1; i <= 5; i++) {
      await (
        await registry.connect(signers[i]).register(`sync_user_${i}`, `ipfs://sync-${i}`)
      ).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    await randomActivity(registry, actors, 60, 99);
    deploymentFile = writeDeployment(31337, registryAddress, suite.profileRegistry.blockNumber);
    plain = await serve();
    const db = await database();
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: plain.url, databaseUrl: db.url, deploymentFile })),
    );
    await indexer.stop();
    reference = await checksumTables(db.url);
  });

  after(async function () {
    for (const server of servers) await server.close();
    for (const db of databases) await db.drop();
  });

  async function serve(limits = {}) {
    const server = await serveProvider(hre.network.provider, limits);
    servers.push(server);
    return server;
  }

  async function database() {
    const db = await createTestDatabase("idx_sync");
    databases.push(db);
    return db;
  }

  describe("event definitions", function () {
    it("match the compiled IProfileRegistry and ISocialGraph interfaces", async function () {
      for (const [name, events] of [
        ["IProfileRegistry", PROFILE_REGISTRY_EVENTS],
        ["ISocialGraph", SOCIAL_GRAPH_EVENTS],
      ] as const) {
        const artifact = await hre.artifacts.readArtifact(name);
        const compiled = (artifact.abi as AbiEvent[]).filter((item) => item.type === "event");
        expect(events.map(signature).sort(), name).to.deep.equal(compiled.map(signature).sort());
      }
    });
  });

  describe("decoding", function () {
    it("gives the same values as viem's decodeEventLog, with lowercase addresses", async function () {
      const logs = (await hre.network.provider.request({
        method: "eth_getLogs",
        params: [{ fromBlock: "0x0", toBlock: "latest", address: registryAddress }],
      })) as RpcLog[];
      const events = [...PROFILE_REGISTRY_EVENTS, ...SOCIAL_GRAPH_EVENTS];
      const decoded = createLogDecoder([
        { contract: "ProfileRegistry", address: registryAddress, events },
      ])(logs, () => 0n);
      expect(decoded).to.have.length(logs.length);
      const kinds = new Set<string>();
      decoded.forEach((log, i) => {
        const reference = decodeEventLog({
          abi: events as Abi,
          data: logs[i].data as `0x${string}`,
          topics: logs[i].topics as [`0x${string}`],
        });
        const inputs = (events as readonly AbiEvent[]).find(
          (event) => event.name === reference.eventName,
        )!.inputs;
        // Every string sent here is well-formed UTF-8: its display text is itself, no bytes kept.
        const lowered = Object.fromEntries(
          Object.entries(reference.args as unknown as Record<string, unknown>).map(([k, v]) => [
            k,
            inputs.find((input) => input.name === k)!.type === "string"
              ? new DecodedString(v as string, null)
              : typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)
                ? v.toLowerCase()
                : v,
          ]),
        );
        expect(log.event).to.equal(reference.eventName);
        expect(log.args).to.deep.equal(lowered);
        kinds.add(log.event);
      });
      expect(kinds.size).to.be.greaterThan(5);
    });
  });

  describe("against a provider that limits eth_getLogs to 3 blocks", function () {
    it("shrinks the range when refused and indexes the same rows", async function () {
      const limited = await serve({ maxLogRange: 3 });
      const db = await database();
      const indexer = await indexToHead(
        testConfig(
          testEnv({
            rpcUrl: limited.url,
            databaseUrl: db.url,
            deploymentFile,
            extra: { INITIAL_BLOCK_RANGE: "64" },
          }),
        ),
      );
      await indexer.stop();
      expect(await checksumTables(db.url)).to.deep.equal(reference);
    });

    it("recognises the refusals of common providers", function () {
      expect(isRangeError(-32005, "query returned more than 10000 results")).to.equal(true);
      expect(
        isRangeError(
          -32602,
          "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
        ),
      ).to.equal(true);
      expect(isRangeError(-32000, "block range is too wide")).to.equal(true);
      expect(isRangeError(-32000, "exceed maximum block range: 5000")).to.equal(true);
      expect(isRangeError(-32000, "header not found")).to.equal(false);
    });
  });

  describe("against a provider that fails its first requests", function () {
    it("retries with backoff, counts the errors and indexes the same rows", async function () {
      const flaky = await serve({ failFirst: 3 });
      const db = await database();
      const indexer = await indexToHead(
        testConfig(testEnv({ rpcUrl: flaky.url, databaseUrl: db.url, deploymentFile })),
      );
      expect(indexer.metrics.rpcErrors.value()).to.equal(3);
      await indexer.stop();
      expect(await checksumTables(db.url)).to.deep.equal(reference);
    });
  });

  describe("the status server", function () {
    it("serves /health, /ready once caught up, and Prometheus /metrics", async function () {
      const db = await database();
      const config = testConfig(
        testEnv({ rpcUrl: plain.url, databaseUrl: db.url, deploymentFile }),
      );
      const indexer = await createIndexer({
        config,
        logger: pino({ level: "silent" }),
        serve: true,
      });
      try {
        const base = `http://127.0.0.1:${indexer.server!.port}`;
        expect((await fetch(`${base}/health`)).status).to.equal(200);
        expect((await fetch(`${base}/ready`)).status).to.equal(503);
        const running = indexer.run();
        while ((await fetch(`${base}/ready`)).status !== 200)
          await new Promise((r) => setTimeout(r, 20));
        const metrics = await (await fetch(`${base}/metrics`)).text();
        const head = Number(
          await hre.network.provider.request({ method: "eth_blockNumber", params: [] }),
        );
        expect(metrics).to.contain(`indexer_head_block ${head}\n`);
        expect(metrics).to.contain(`indexer_indexed_block ${head}\n`);
        expect(metrics).to.contain("indexer_head_lag_blocks 0\n");
        expect(metrics).to.match(/indexer_events_total [1-9]\d*\n/);
        expect(metrics).to.match(
          /# TYPE indexer_rpc_errors_total counter\nindexer_rpc_errors_total 0\n/,
        );
        expect(metrics).to.match(/indexer_blocks_per_second \d/);
        await indexer.stop();
        await running;
      } finally {
        await indexer.stop();
      }
    });
  });
});
