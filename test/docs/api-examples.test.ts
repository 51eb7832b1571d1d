import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { parse, validate } from "graphql";
import pg from "pg";
import pino from "pino";
import { JsonRpcProvider } from "ethers";
import { deploySuite } from "../../deploy/suite";
import { startLocalNode, type LocalNode } from "../../devnet/node";
import { seedDemo } from "../../devnet/seed";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import { freePort } from "../devnet/helpers";
import {
  createTestDatabase,
  indexToHead,
  testConfig,
  testEnv,
  type TestDatabase,
} from "../indexer/helpers";
import { writeSuiteDeployment } from "../indexer/suiteHelpers";

const ROOT = path.resolve(__dirname, "../..");
const logger = pino({ level: "silent" });

/**
 * The GraphQL blocks of docs/api.md, in order, each with the variables of the ```json block
 * that follows it after a "Variables:" line.
 */
function examples(): { query: string; variables?: Record<string, unknown> }[] {
  const text = fs.readFileSync(path.join(ROOT, "docs/api.md"), "utf8");
  return [
    ...text.matchAll(/```graphql\n([\s\S]*?)```(?:\s*Variables:\s*```json\n([\s\S]*?)```)?/g),
  ].map((match) => ({
    query: match[1],
    variables: match[2] ? (JSON.parse(match[2]) as Record<string, unknown>) : undefined,
  }));
}

/**
 * Every example of docs/api.md, as written, against the `npm start` demo: a fresh Hardhat node
 * deployed to and seeded the way devnet/start.ts does it, so its addresses are the demo's.
 */
describe("docs/api.md examples against the npm start demo", function () {
  this.timeout(900_000);
  let node: LocalNode;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;

  before(async function () {
    node = await startLocalNode(ROOT, await freePort());
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const suite = await deploySuite(await provider.getSigner(0));
    await seedDemo(node.url, suite);
    provider.destroy();
    db = await createTestDatabase("api_examples");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: node.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 10_000, logger });
    api = await createApi({ pool, databaseUrl: db.url, logger, fallbackPollMs: 0 });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await node?.stop();
  });

  it("answers every query example without an error, and every subscription is valid", async function () {
    const blocks = examples();
    expect(blocks.length).to.be.greaterThan(10);
    for (const { query, variables } of blocks) {
      if (/^\s*subscription\b/.test(query)) {
        // A stream answers events to come; its document must be valid against the schema.
        expect(validate(api.schema, parse(query)), query).to.deep.equal([]);
        continue;
      }
      const response = await api.yoga.fetch("http://api/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const reply = (await response.json()) as { data?: unknown; errors?: unknown[] };
      expect(reply.errors, `${query}\n${JSON.stringify(reply.errors)}`).to.equal(undefined);
      expect(reply.data, query).to.not.equal(null);
    }
  });
});
