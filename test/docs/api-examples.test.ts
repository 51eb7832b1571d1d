import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { parse, validate } from "graphql";
import pg from "pg";
import pino from "pino";
import { JsonRpcProvider } from "ethers";
import { loadParameters, parametersPath } from "../../deploy/parameters";
import { deployWithParameters } from "../../deploy/suite";
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
 * The top-level fields of an answer that hold nothing: null, an empty list, or a connection
 * without nodes. An example that names a profile, coin or post the demo lacks answers so.
 */
function emptyFields(data: Record<string, unknown>): string[] {
  return Object.entries(data)
    .filter(([, value]) => {
      if (value === null) return true;
      if (Array.isArray(value)) return value.length === 0;
      const nodes = (value as { nodes?: unknown[] }).nodes;
      return typeof value === "object" && Array.isArray(nodes) && nodes.length === 0;
    })
    .map(([field]) => field);
}

/**
 * Every example of docs/api.md, as written, against the `npm start` demo: a fresh Hardhat node
 * deployed to with the dev parameters and seeded the way devnet/start.ts does it, so its
 * addresses are the demo's.
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
    const { suite } = await deployWithParameters(
      await provider.getSigner(0),
      loadParameters(parametersPath(ROOT, "localhost")),
    );
    await seedDemo(node.url, suite);
    provider.destroy();
    db = await createTestDatabase("api_examples");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: node.url, databaseUrl: db.url, deploymentFile })),
    );
    // npm start resolves the demo's documents (data: URIs) beside the sync.
    while ((await indexer.content.step()) > 0);
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

  it("answers every query example without an error and with data, and every subscription is valid", async function () {
    const blocks = examples();
    expect(blocks.length).to.be.greaterThan(10);
    // Every example is tried; the failure lists all that went wrong.
    const failures: string[] = [];
    for (const { query, variables } of blocks) {
      if (/^\s*subscription\b/.test(query)) {
        // A stream answers events to come; its document must be valid against the schema.
        const invalid = validate(api.schema, parse(query));
        if (invalid.length > 0) failures.push(`${query}\n${invalid.join("\n")}`);
        continue;
      }
      const response = await api.yoga.fetch("http://api/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const reply = (await response.json()) as {
        data?: Record<string, unknown>;
        errors?: unknown[];
      };
      // Each example shows something of the demo, not an error nor an empty answer.
      if (reply.errors !== undefined || !reply.data) {
        failures.push(`${query}\nerrors: ${JSON.stringify(reply.errors)}`);
      } else if (emptyFields(reply.data).length > 0) {
        failures.push(`${query}\nempty: ${emptyFields(reply.data).join(", ")}`);
      }
    }
    expect(failures, failures.join("\n\n")).to.deep.equal([]);
  });
});
