import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { loadParameters, parametersPath } from "../deploy/parameters";
import { deployWithParameters } from "../deploy/suite";
import { deploymentPath, readDeploymentFile, toDeploymentFile } from "../deploy/deployment";
import { ConfigError, listenHost, loadConfig } from "../indexer/config";
import { poolCloser } from "../indexer/db/database";
import { createApi, DEFAULT_LIMITS } from "../indexer/graphql/api";
import { createReadPool, warnIfWritable } from "../indexer/graphql/database";
import { corsOrigins } from "../indexer/graphql/requests";
import { localUrl, serveApi, serveMetrics } from "../indexer/graphql/server";
import { rpcHeadBlock } from "../indexer/graphql/status";
import { createIndexer } from "../indexer/indexer";
import { createLogger } from "../indexer/logger";
import { projectRoot } from "../indexer/root";
import { APP_DIST, appConfig, buildApp } from "../scripts/build-app";
import { serveApp } from "./app-server";
import { ChainJournal } from "./journal";
import { serveJournaledRpc } from "./journaledRpc";
import { startLocalNode } from "./node";
import { enableApiLogin, startDevnetPostgres } from "./postgres";
import { seedDemo } from "./seed";

const ROOT = projectRoot();

/**
 * `npm start`. With no configuration: a local chain (a Hardhat node behind the journaled JSON-RPC
 * endpoint), the suite deployed and a demo seeded (the first time only; later runs replay the
 * chain journal), an embedded Postgres, the indexer and the GraphQL API. With RPC_URL (and
 * DEPLOYMENT_FILE, DATABASE_URL): index that chain.
 *
 * Every port it opens listens on HOST, 127.0.0.1 by default. Where the local setup lives, for
 * running several side by side (the tests do): AGORA_DATA_DIR (default .data: the chain journal
 * and the embedded Postgres), DEPLOYMENT_FILE (default deployments/localhost.json),
 * AGORA_NODE_PORT (8545), API_PORT (4000, 0: any free port), API_METRICS_PORT (42070, 0: any
 * free port), INDEXER_HTTP_PORT (42069, 0: any free port), APP_PORT (3000, 0: any free port) and
 * EMBEDDED_POSTGRES_PORT (54329).
 *
 * Ctrl-C (SIGINT, as a terminal sends it to the whole process group), SIGTERM and SIGHUP stop
 * everything in order and exit 0: the API, the indexer after its last commit, the Postgres once
 * every session of both pools has ended (a session still open would be terminated by it and
 * reported as a failed connection), the chain. The Hardhat node and the Postgres run under guards (guard.ts) that the terminal's
 * signal does not reach and that end them if this process dies first.
 */

/** A port option: an integer from `min` to 65535. */
function portOption(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port < min || port > 65_535) {
    throw new ConfigError(name, `must be a port number from ${min} to 65535, got "${raw}"`);
  }
  return port;
}

/** A port nobody listens on right now, for the node behind the journaled endpoint. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Without RPC_URL, npm start runs a local chain and writes its deployment to DEPLOYMENT_FILE.
 * A file there that describes another chain was meant to be indexed, not overwritten.
 */
function refuseForeignDeployment(file: string): void {
  if (!fs.existsSync(file)) return;
  const { chainId, network } = JSON.parse(fs.readFileSync(file, "utf8")) as {
    chainId?: number;
    network?: string;
  };
  if (chainId !== 31337 || network !== "localhost") {
    throw new Error(
      `DEPLOYMENT_FILE ${file} describes ${network ?? "another network"} (chain ${chainId}); without RPC_URL npm start runs a local chain and would overwrite it. Set RPC_URL (and DATABASE_URL) to index that chain, or point DEPLOYMENT_FILE at another file`,
    );
  }
}

/**
 * One npm start per data folder: two would append to the same chain journal. The lock is a file
 * holding the owner's pid; the lock of a process that is gone is taken over.
 */
function lockDataDir(dataDir: string): string {
  const lock = path.join(dataDir, "npm-start.pid");
  fs.mkdirSync(dataDir, { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      process.once("exit", () => fs.rmSync(lock, { force: true }));
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(fs.readFileSync(lock, "utf8").trim());
    let ownerAlive = false;
    try {
      process.kill(owner, 0);
      ownerAlive = owner > 0;
    } catch (error) {
      ownerAlive = (error as NodeJS.ErrnoException).code === "EPERM";
    }
    if (ownerAlive && owner !== process.pid) {
      throw new Error(
        `npm start is already running on ${dataDir} (pid ${owner}, in ${lock}); stop it, or set AGORA_DATA_DIR to another folder`,
      );
    }
    fs.rmSync(lock, { force: true });
  }
}

const logger = createLogger(process.env.LOG_LEVEL ?? "info");
/** What runs, in the order it started; stopped in the reverse order. */
const running: { name: string; stop: () => Promise<unknown> }[] = [];
let stopping: Promise<never> | null = null;

/** Stops everything that runs, each step even if an earlier one failed, then exits. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    for (const { name, stop } of [...running].reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error, step: name }, "shutdown step failed");
      }
    }
    if (code === 0) logger.info("stopped");
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void shutdown(0));
  }
  const host = listenHost(process.env.HOST || "127.0.0.1", "HOST");
  const env = { ...process.env };
  let chainUrl: string | undefined;
  if (!process.env.RPC_URL) {
    const deployment = process.env.DEPLOYMENT_FILE
      ? path.resolve(process.env.DEPLOYMENT_FILE)
      : deploymentPath(ROOT, "localhost");
    refuseForeignDeployment(deployment);
    const chainPort = portOption("AGORA_NODE_PORT", 8545);
    const dataDir = path.resolve(process.env.AGORA_DATA_DIR || path.join(ROOT, ".data"));
    env.EMBEDDED_POSTGRES_DIR ||= path.join(dataDir, "postgres");
    const journal = new ChainJournal(path.join(dataDir, "chain"));
    // The deployment file is written once the demo is seeded: without it, the journal holds
    // an unfinished setup, which is started over.
    const lock = lockDataDir(dataDir);
    const resume = journal.exists() && fs.existsSync(deployment);
    if (!resume) {
      for (const entry of fs.readdirSync(dataDir)) {
        if (entry !== path.basename(lock)) {
          fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
        }
      }
      fs.rmSync(deployment, { force: true });
    }
    const node = await startLocalNode(ROOT, await freePort());
    running.push({ name: "hardhat node", stop: () => node.stop() });
    if (resume) {
      const head = await journal.replay(node.url);
      logger.info({ block_number: head }, "local chain restored from its journal");
    } else {
      await journal.record(node.url);
    }
    const chain = await serveJournaledRpc({
      nodeUrl: node.url,
      journal,
      port: chainPort,
      host,
      logger: logger.child({ component: "chain" }),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EADDRINUSE") throw error;
      throw new ConfigError(
        "AGORA_NODE_PORT",
        `port ${chainPort} is in use: stop what listens there, or choose another port`,
      );
    });
    running.push({ name: "chain endpoint", stop: () => chain.close() });
    chainUrl = chain.url;
    if (!resume) {
      const provider = new JsonRpcProvider(chain.url, undefined, { cacheTimeout: -1 });
      // The dev parameters: several demo holders and the treasury, as a launch would have.
      const parameters = loadParameters(parametersPath(ROOT, "localhost"));
      const { suite } = await deployWithParameters(await provider.getSigner(0), parameters);
      const summary = await seedDemo(chain.url, suite);
      provider.destroy();
      logger.info(
        {
          ...summary,
          proposalId: summary.proposalId.toString(),
          openProposalId: summary.openProposalId.toString(),
        },
        "demo seeded",
      );
      fs.mkdirSync(path.dirname(deployment), { recursive: true });
      const file = toDeploymentFile("localhost", 31337, suite);
      fs.writeFileSync(deployment, JSON.stringify(file, null, 2) + "\n");
    }
    env.RPC_URL = chain.url;
    env.NETWORK = "localhost";
    env.DEPLOYMENT_FILE = deployment;
  }
  const embedded = !env.DATABASE_URL;
  if (embedded) {
    const postgres = await startDevnetPostgres({
      dir: path.resolve(env.EMBEDDED_POSTGRES_DIR || path.join(ROOT, ".data", "postgres")),
      port: portOption("EMBEDDED_POSTGRES_PORT", 54329),
      logger: logger.child({ component: "postgres" }),
    });
    running.push({ name: "postgres", stop: () => postgres.stop() });
    env.DATABASE_URL = postgres.url;
  }
  env.INDEXER_HTTP_HOST ||= host;

  const config = loadConfig({ env });
  const indexer = await createIndexer({
    config,
    logger: logger.child({ component: "indexer" }),
    serve: true,
  });
  running.push({ name: "indexer", stop: () => indexer.stop() });
  // The API reads as the role agora_api, which may only read: on the embedded Postgres its
  // login is enabled here; on another, API_DATABASE_URL names a login of it (docs/api.md).
  const apiDatabaseUrl = embedded
    ? await enableApiLogin(indexer.db.url)
    : process.env.API_DATABASE_URL || indexer.db.url;
  const readPool = createReadPool({
    url: apiDatabaseUrl,
    statementTimeoutMs: DEFAULT_LIMITS.timeoutMs,
    logger,
  });
  // Closed only once its sessions have ended: the Postgres stops right after (poolCloser).
  running.push({ name: "api pool", stop: poolCloser(readPool) });
  await warnIfWritable(readPool, logger.child({ component: "api" }));
  // Pages of the app may read the API's answers; until the app listens, no page may. On
  // another address than the loopback, the app can be reached under names this process cannot
  // know: any page may then read the API, which serves public data and never credentials.
  let allowedOrigins: readonly string[] = process.env.API_CORS_ORIGINS
    ? corsOrigins(process.env.API_CORS_ORIGINS)
    : [];
  const api = await createApi({
    pool: readPool,
    databaseUrl: apiDatabaseUrl,
    logger: logger.child({ component: "api" }),
    headBlock: rpcHeadBlock(config.rpcUrl),
    corsOrigins: () => allowedOrigins,
  });
  running.push({ name: "api", stop: () => api.close() });
  const server = await serveApi(api, {
    port: portOption("API_PORT", 4000, 0),
    host: listenHost(process.env.API_HOST || host, "API_HOST"),
  });
  running.push({ name: "api server", stop: () => server.close() });
  const apiMetrics = await serveMetrics(
    { render: () => api.metrics.registry.metrics(), contentType: api.metrics.registry.contentType },
    { port: portOption("API_METRICS_PORT", 42_070, 0), host },
  );
  running.push({ name: "api metrics server", stop: () => apiMetrics.close() });
  // The web app, built if its sources changed, configured for this chain and this API.
  await buildApp();
  const app = await serveApp({
    dir: APP_DIST,
    port: portOption("APP_PORT", 3000, 0),
    host,
    config: appConfig(
      readDeploymentFile(config.deploymentFile),
      server.url,
      chainUrl ?? config.rpcUrl,
    ),
  });
  running.push({ name: "app server", stop: () => app.close() });
  if (!process.env.API_CORS_ORIGINS) {
    allowedOrigins =
      host === "127.0.0.1"
        ? [new URL(app.url).origin, `http://localhost:${app.port}`]
        : corsOrigins("*");
  }
  const sync = indexer.run();

  const status = indexer.server!;
  console.log(`
Agora is running.
  App                     ${app.url}
  GraphQL API + GraphiQL  ${server.url}
  JSON-RPC (chain ${config.chainId})   ${chainUrl ?? config.rpcUrl}
  Indexer status          ${localUrl(status.address, status.port)}/ready  /health  /metrics
  API metrics             ${localUrl(apiMetrics.address, apiMetrics.port, "/metrics")}
  PostgreSQL              ${redactPassword(indexer.db.url)}
${host === "127.0.0.1" ? "" : `  (listening on ${host}, as HOST says)\n`}
Try:
  { profile(handle: "alice") { handle stats { postCount followerCount followingCount } } }
  { posts(first: 5) { edges { node { id contentUri author { handle } } } } }
  { indexerStatus { lastIndexedBlock headLag } }

Ctrl-C stops everything; the next npm start resumes where this one stopped.
`);

  await sync.catch((error: unknown) => {
    if (stopping) return;
    logger.fatal({ err: error }, (error as Error).message);
    return shutdown(1);
  });
}

/** A database URL without its password, for the banner. */
function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

main().catch((error: unknown) => {
  if (stopping) return;
  if (error instanceof ConfigError) {
    logger.fatal({ option: error.option }, error.message);
    return shutdown(2);
  }
  logger.fatal({ err: error }, (error as Error).message);
  return shutdown(1);
});
