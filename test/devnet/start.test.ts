import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { HARDHAT_ACCOUNT_0_KEY } from "../../bench/workload";
import { ProfileRegistry__factory } from "../../typechain-types";

const ROOT = path.resolve(__dirname, "..", "..");

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Started {
  child: ChildProcess;
  apiUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the entry of `npm start` (ts-node devnet/start.ts; the contracts are already compiled by
 * the test run) and resolves once it prints the API URL.
 */
async function start(env: Record<string, string>): Promise<Started> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const name of ["RPC_URL", "DATABASE_URL", "NETWORK", "INDEXER_CONFIG", "CHAIN_ID"]) {
    delete childEnv[name];
  }
  const child = spawn(
    process.execPath,
    [require.resolve("ts-node/dist/bin.js"), path.join("devnet", "start.ts")],
    {
      cwd: ROOT,
      env: { ...childEnv, TS_NODE_TRANSPILE_ONLY: "true", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 240_000;
  for (;;) {
    const match = /GraphQL API \+ GraphiQL\s+(http:\/\/\S+)/.exec(output);
    if (match) return { child, apiUrl: match[1], output: () => output, exited };
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start printed no API URL within 240 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends SIGINT and waits for the exit; SIGKILL if it does not come within a minute. */
async function stop(started: Started): Promise<number | null> {
  started.child.kill("SIGINT");
  const timer = setTimeout(() => started.child.kill("SIGKILL"), 60_000);
  const code = await started.exited;
  clearTimeout(timer);
  return code;
}

type Json = Record<string, unknown>;

async function gql(apiUrl: string, query: string): Promise<Json> {
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  const reply = (await response.json()) as { data?: Json; errors?: unknown[] };
  expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
  return reply.data!;
}

/** Opens a subscription over Server-Sent Events; `next()` resolves with its next event. */
async function subscribe(apiUrl: string, query: string) {
  const abort = new AbortController();
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  expect(response.headers.get("content-type")).to.match(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<Json> => {
    for (;;) {
      const match = /(?:^|\n)event: next\ndata: (.*)\n\n/.exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return JSON.parse(match[1]) as Json;
      }
      const chunk = await reader.read();
      if (chunk.done) throw new Error("the event stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return { next, close: () => abort.abort() };
}

/** Waits until the indexer has caught up with the chain head (a minute at most). */
async function caughtUp(apiUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const data = (await gql(apiUrl, "{ indexerStatus { lastIndexedBlock headLag } }")) as {
      indexerStatus: { lastIndexedBlock: string | null; headLag: string | null } | null;
    };
    if (data.indexerStatus?.lastIndexedBlock != null && data.indexerStatus.headLag === "0") return;
    if (Date.now() > deadline) {
      throw new Error(`the indexer did not catch up: ${JSON.stringify(data.indexerStatus)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const PROFILES_AND_POSTS = `{
  profiles(first: 1000) { nodes { id handle } }
  posts(first: 1000) { nodes { id contentUri } }
}`;

interface Snapshot {
  profiles: { id: string; handle: string }[];
  posts: { id: string; contentUri: string }[];
}

/** Every profile and post the API serves. */
async function snapshot(apiUrl: string): Promise<Snapshot> {
  const data = (await gql(apiUrl, PROFILES_AND_POSTS)) as {
    profiles: { nodes: Snapshot["profiles"] };
    posts: { nodes: Snapshot["posts"] };
  };
  return { profiles: data.profiles.nodes, posts: data.posts.nodes };
}

describe("npm start (devnet/start.ts)", function () {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-start-"));
  let env: Record<string, string>;
  let running: Started | undefined;

  before(async function () {
    env = {
      AGORA_DATA_DIR: dataDir,
      DEPLOYMENT_FILE: path.join(dataDir, "deployment.json"),
      AGORA_NODE_PORT: String(await freePort()),
      API_PORT: "0",
      INDEXER_HTTP_PORT: "0",
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      POLL_INTERVAL_MS: "100",
    };
  });

  after(async function () {
    if (running && running.child.exitCode === null) await stop(running);
    // The embedded Postgres may run as a dedicated user that owns files here.
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("seeds a demo, serves it, follows new activity live, and resumes after Ctrl-C", async function () {
    running = await start(env);
    const apiUrl = running.apiUrl;
    expect(running.output()).to.match(/demo seeded/);
    await caughtUp(apiUrl);

    // The seeded demo, through the HTTP API.
    const seeded = await snapshot(apiUrl);
    expect(seeded.profiles.length).to.be.at.least(20);
    expect(seeded.profiles.map((p) => p.handle)).to.include.members(["alice", "bob", "zoe"]);
    expect(seeded.posts.length).to.be.at.least(20);

    // Coins, trades, tips and the executed proposal, through the same API.
    const demo = (await gql(
      apiUrl,
      `{ stats { coins trades tips proposals }
         proposals(where: { state: "Executed" }) { nodes { description } } }`,
    )) as {
      stats: { coins: number; trades: number; tips: number; proposals: number };
      proposals: { nodes: { description: string }[] };
    };
    expect(demo.stats.coins).to.equal(8);
    expect(demo.stats.trades).to.be.at.least(60);
    expect(demo.stats.tips).to.be.at.least(20);
    expect(demo.stats.proposals).to.equal(1);
    expect(demo.proposals.nodes.map((p) => p.description)).to.deep.equal([
      "Raise the creator share of protocol revenue to 25%",
    ]);

    // A new post from a wallet, seen over SSE and through a query within 2 s of being mined.
    const deployment = JSON.parse(fs.readFileSync(env.DEPLOYMENT_FILE, "utf8")) as {
      contracts: { ProfileRegistry: { address: string } };
    };
    const provider = new JsonRpcProvider(`http://127.0.0.1:${env.AGORA_NODE_PORT}`);
    const alice = new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
    const registry = ProfileRegistry__factory.connect(
      deployment.contracts.ProfileRegistry.address,
      alice,
    );
    const aliceId = await registry.profileIdOf(alice.address);
    const stream = await subscribe(
      apiUrl,
      `subscription { postCreated(authorIds: ["${aliceId}"]) { id contentUri author { handle } } }`,
    );
    try {
      const live = stream.next();
      const receipt = await (await registry.post(aliceId, "ipfs://start-test/hello")).wait();
      const minedAt = Date.now();
      const expectedId = ((aliceId << 64n) | (await registry.postCountOf(aliceId))).toString();
      let visibleAfter = -1;
      while (Date.now() - minedAt < 2_000) {
        const reply = (await gql(apiUrl, `{ post(id: "${expectedId}") { id } }`).catch(
          () => null,
        )) as { post: { id: string } } | null;
        if (reply?.post?.id === expectedId) {
          visibleAfter = Date.now() - minedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(
        visibleAfter,
        `post of block ${receipt!.blockNumber} not visible within 2 s`,
      ).to.be.at.least(0);
      const event = (await live) as { data: { postCreated: Json } };
      expect(event.data.postCreated).to.deep.equal({
        id: expectedId,
        contentUri: "ipfs://start-test/hello",
        author: { handle: "alice" },
      });
    } finally {
      stream.close();
      provider.destroy();
    }
    const before = await snapshot(apiUrl);
    expect(before.posts.length).to.equal(seeded.posts.length + 1);

    // Ctrl-C: a clean exit.
    expect(await stop(running), running.output()).to.equal(0);

    // The second start replays the journal instead of seeding again.
    running = await start(env);
    expect(running.output()).to.match(/local chain restored from its journal/);
    expect(running.output()).to.not.match(/demo seeded/);
    await caughtUp(running.apiUrl);
    const after = await snapshot(running.apiUrl);
    expect(after.profiles).to.deep.equal(before.profiles);
    expect(after.posts).to.deep.equal(before.posts);
    expect(new Set(after.posts.map((p) => p.id)).size).to.equal(after.posts.length);
    expect(await stop(running), running.output()).to.equal(0);
  });

  it("refuses to overwrite the deployment file of another chain when it runs a local one", async function () {
    const foreign = path.join(dataDir, "base.json");
    const content = JSON.stringify({ network: "base", chainId: 8453, contracts: {} });
    fs.writeFileSync(foreign, content);
    const failed = start({ ...env, DEPLOYMENT_FILE: foreign });
    let message = "";
    try {
      await failed;
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(/npm start exited early/);
    expect(message).to.match(
      /DEPLOYMENT_FILE .*base\.json describes base \(chain 8453\); without RPC_URL npm start runs a local chain and would overwrite it/,
    );
    expect(fs.readFileSync(foreign, "utf8")).to.equal(content);
  });
});
