import fs from "node:fs";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { deploySuite } from "../deploy/suite";
import { deploymentPath, toDeploymentFile, writeDeploymentFile } from "../deploy/deployment";
import { ConfigError, loadConfig } from "../indexer/config";
import { createApi, DEFAULT_LIMITS } from "../indexer/graphql/api";
import { createReadPool } from "../indexer/graphql/database";
import { serveApi } from "../indexer/graphql/server";
import { rpcHeadBlock } from "../indexer/graphql/status";
import { createIndexer } from "../indexer/indexer";
import { createLogger } from "../indexer/logger";
import { ChainJournal } from "./journal";
import { seedDemo } from "./seed";
import { startLocalNode, type LocalNode } from "./node";

const ROOT = path.resolve(__dirname, "..");

/**
 * `npm start`. With no configuration: a local Hardhat node, the suite deployed, a demo seeded
 * (the first time only; later runs replay the chain journal), the indexer on embedded Postgres
 * and the GraphQL API. With RPC_URL (and DEPLOYMENT_FILE, DATABASE_URL): index that chain.
 *
 * Where the local setup lives, for running several side by side (the tests do): AGORA_DATA_DIR
 * (default .data: the chain journal and the embedded Postgres), DEPLOYMENT_FILE (default
 * deployments/localhost.json), AGORA_NODE_PORT (8545), API_PORT (4000, 0: any free port),
 * INDEXER_HTTP_PORT (42069, 0: any free port) and EMBEDDED_POSTGRES_PORT (54329).
 */
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

async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? "info");
  let node: LocalNode | undefined;
  let journal: ChainJournal | undefined;
  const env = { ...process.env };
  if (!process.env.RPC_URL) {
    const deployment = process.env.DEPLOYMENT_FILE
      ? path.resolve(process.env.DEPLOYMENT_FILE)
      : deploymentPath(ROOT, "localhost");
    refuseForeignDeployment(deployment);
    const port = Number(process.env.AGORA_NODE_PORT ?? 8545);
    node = await startLocalNode(ROOT, port);
    env.RPC_URL = node.url;
    env.NETWORK = "localhost";
    const dataDir = path.resolve(process.env.AGORA_DATA_DIR || path.join(ROOT, ".data"));
    env.EMBEDDED_POSTGRES_DIR ||= path.join(dataDir, "postgres");
    journal = new ChainJournal(path.join(dataDir, "chain"));
    env.DEPLOYMENT_FILE = deployment;
    if (journal.exists() && fs.existsSync(deployment)) {
      const head = await journal.replay(node.url);
      logger.info({ block_number: head }, "local chain restored from its journal");
    } else {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const provider = new JsonRpcProvider(node.url);
      const suite = await deploySuite(await provider.getSigner(0));
      const file = toDeploymentFile("localhost", 31337, suite);
      if (process.env.DEPLOYMENT_FILE) {
        fs.mkdirSync(path.dirname(deployment), { recursive: true });
        fs.writeFileSync(deployment, JSON.stringify(file, null, 2) + "\n");
      } else {
        writeDeploymentFile(ROOT, file);
      }
      const summary = await seedDemo(node.url, suite);
      provider.destroy();
      logger.info({ ...summary, proposalId: summary.proposalId.toString() }, "demo seeded");
      await journal.record(node.url);
    }
  }

  let config;
  try {
    config = loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ option: error.option }, error.message);
      await node?.stop();
      process.exit(2);
    }
    throw error;
  }
  const indexer = await createIndexer({
    config,
    logger: logger.child({ component: "indexer" }),
    serve: true,
  });
  const apiPort = Number(process.env.API_PORT ?? 4000);
  const readPool = createReadPool({
    url: indexer.db.url,
    statementTimeoutMs: DEFAULT_LIMITS.timeoutMs,
    logger,
  });
  const api = await createApi({
    pool: readPool,
    databaseUrl: indexer.db.url,
    logger: logger.child({ component: "api" }),
    headBlock: rpcHeadBlock(config.rpcUrl),
  });
  const server = await serveApi(api, { port: apiPort });
  const running = indexer.run();
  const recorder =
    journal && node
      ? setInterval(() => void journal.record(node.url).catch(() => undefined), 5_000)
      : undefined;

  console.log(`
Agora is running.
  GraphQL API + GraphiQL  http://127.0.0.1:${server.port}/graphql
  JSON-RPC (chain ${config.chainId})   ${config.rpcUrl}
  Indexer status          http://127.0.0.1:${indexer.server?.port}/ready  /health  /metrics

Try:
  { profile(handle: "alice") { handle stats { postCount followerCount followingCount } } }
  { posts(first: 5) { edges { node { id contentUri author { handle } } } } }
  { indexerStatus { lastIndexedBlock headLag } }

Ctrl-C stops everything; the next npm start resumes where this one stopped.
`);

  let stopping = false;
  // Each step runs even if an earlier one failed (on Ctrl-C the embedded Postgres receives the
  // signal too and may already be gone); the chain is recorded and the node stopped last.
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    if (recorder) clearInterval(recorder);
    const steps: (() => Promise<unknown>)[] = [
      () => server.close(),
      () => api.close(),
      () => readPool.end(),
      () => indexer.stop(),
      () => running,
      async () => journal && node && (await journal.record(node.url)),
      async () => node?.stop(),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        logger.warn({ err: error }, "shutdown step failed");
      }
    }
    process.exit(0);
  };
  // The embedded Postgres package hooks SIGINT and SIGTERM to stop its servers and exit with
  // 128 + signal, racing this shutdown (the last batch and the journal would be cut short). This
  // shutdown stops that server itself (indexer.stop), so it alone handles the signals.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  await running.catch(async (error: unknown) => {
    logger.fatal({ err: error }, (error as Error).message);
    await node?.stop();
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
