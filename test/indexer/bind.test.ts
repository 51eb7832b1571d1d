import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import pg from "pg";
import pino from "pino";
import { apiNodeOptions } from "../../bench/apiProcess";
import { ConfigError } from "../../indexer/config";
import { migrate } from "../../indexer/db/migrate";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { serveApi } from "../../indexer/graphql/server";
import { createMetrics } from "../../indexer/metrics";
import { startStatusServer } from "../../indexer/server";
import { listeningAddresses } from "../devnet/helpers";
import {
  createTestDatabase,
  testConfig,
  testEnv,
  writeDeployment,
  type TestDatabase,
} from "./helpers";
import { builtEntryPoint } from "../build";

const ROOT = path.resolve(__dirname, "..", "..");
const logger = pino({ level: "silent" });
const status = { readiness: async () => ({ ready: true }) };

describe("where the API and the indexer's status server listen", function () {
  let db: TestDatabase;
  let pool: pg.Pool;
  let api: Api;

  before(async function () {
    db = await createTestDatabase("bind");
    const admin = new pg.Pool({ connectionString: db.url });
    await migrate(admin, logger);
    await admin.end();
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({ pool, databaseUrl: db.url, logger, fallbackPollMs: 0 });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await db?.drop();
  });

  it("the status server: 127.0.0.1 by default, INDEXER_HTTP_HOST otherwise", async function () {
    const deploymentFile = writeDeployment(31337, "0x" + "11".repeat(20), 1);
    const env = testEnv({ rpcUrl: "http://127.0.0.1:1", databaseUrl: db.url, deploymentFile });
    expect(testConfig(env).httpHost).to.equal("127.0.0.1");
    expect(testConfig({ ...env, INDEXER_HTTP_HOST: "0.0.0.0" }).httpHost).to.equal("0.0.0.0");
    expect(testConfig({ ...env, INDEXER_HTTP_HOST: "::" }).httpHost).to.equal("::");
    for (const bad of ["http://0.0.0.0", "0.0.0.0:8080", "two words", "-rf"]) {
      expect(() => testConfig({ ...env, INDEXER_HTTP_HOST: bad }), bad)
        .to.throw(ConfigError)
        .with.property("option", 'INDEXER_HTTP_HOST (config file: "httpHost")');
    }

    const local = await startStatusServer(0, createMetrics(), status);
    const everywhere = await startStatusServer(0, createMetrics(), status, "0.0.0.0");
    try {
      expect(listeningAddresses(local.port)).to.deep.equal(["127.0.0.1"]);
      expect(local.address).to.equal("127.0.0.1");
      expect(listeningAddresses(everywhere.port)).to.deep.equal(["0.0.0.0"]);
      expect((await fetch(`http://127.0.0.1:${local.port}/ready`)).status).to.equal(200);
    } finally {
      await local.close();
      await everywhere.close();
    }
  });

  it("the API: 127.0.0.1 by default, another address when asked, with a URL that reaches it", async function () {
    const local = await serveApi(api, { port: 0 });
    const everywhere = await serveApi(api, { port: 0, host: "0.0.0.0" });
    const ipv6 = await serveApi(api, { port: 0, host: "::1" });
    try {
      expect(listeningAddresses(local.port)).to.deep.equal(["127.0.0.1"]);
      expect(listeningAddresses(everywhere.port)).to.deep.equal(["0.0.0.0"]);
      expect(listeningAddresses(ipv6.port)).to.deep.equal(["::1"]);
      expect(local.url).to.equal(`http://127.0.0.1:${local.port}/graphql`);
      expect(everywhere.url).to.equal(`http://127.0.0.1:${everywhere.port}/graphql`);
      expect(ipv6.url).to.equal(`http://[::1]:${ipv6.port}/graphql`);
      for (const server of [local, everywhere, ipv6]) {
        const reply = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ __typename }" }),
        });
        expect(await reply.json()).to.deep.equal({ data: { __typename: "Query" } });
      }
    } finally {
      await local.close();
      await everywhere.close();
      await ipv6.close();
    }
  });

  it("npm run api listens where API_HOST says, and refuses an address it cannot listen on", async function () {
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      API_PORT: "0",
      API_METRICS_PORT: "0",
      LOG_LEVEL: "info",
    };
    const refused = spawnSync(process.execPath, [builtEntryPoint("indexer/graphql/main.ts")], {
      cwd: ROOT,
      env: { ...env, API_HOST: "http://0.0.0.0" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(refused.status, refused.stdout + refused.stderr).to.equal(1);
    expect(refused.stdout + refused.stderr).to.include("Invalid config option API_HOST");

    // With the Node.js options of package.json's `api` script, as `npm run api` starts it.
    const entry = builtEntryPoint("indexer/graphql/main.ts");
    const child = spawn(process.execPath, [...apiNodeOptions(), entry], {
      cwd: ROOT,
      env: { ...env, API_HOST: "0.0.0.0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const listening = await new Promise<{ host: string; port: number }>((resolve, reject) => {
        let buffer = "";
        child.stdout!.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          const line = buffer.split("\n").find((l) => l.includes('"api listening"'));
          if (line) resolve(JSON.parse(line) as { host: string; port: number });
        });
        child.once("exit", () => reject(new Error(`npm run api exited: ${buffer}`)));
      });
      expect(listening.host).to.equal("0.0.0.0");
      expect(listeningAddresses(listening.port)).to.deep.equal(["0.0.0.0"]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
