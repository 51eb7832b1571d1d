import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import pg from "pg";
import { HARDHAT_ACCOUNT_0_KEY } from "../../bench/workload";
import { ProfileRegistry__factory, type ProfileRegistry } from "../../typechain-types";
import { freePort, listeningAddresses } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
/** Generous: the machine may be shared and slow; nothing here measures speed. */
const PATIENCE_MS = 240_000;

interface Started {
  /** `npm start`, leader of its own process group, as a terminal's foreground job is. */
  child: ChildProcess;
  apiUrl: string;
  chainUrl: string;
  statusUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnNpmStart(env: Record<string, string>) {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const name of ["RPC_URL", "DATABASE_URL", "NETWORK", "INDEXER_CONFIG", "CHAIN_ID"]) {
    delete childEnv[name];
  }
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    env: { ...childEnv, TS_NODE_TRANSPILE_ONLY: "true", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, output: () => output, exited };
}

/** Runs `npm start` and resolves once it prints its banner. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const { child, output, exited } = spawnNpmStart(env);
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const api = /GraphQL API \+ GraphiQL\s+(http:\/\/\S+)/.exec(output());
    const chain = /JSON-RPC \(chain \d+\)\s+(http:\/\/\S+)/.exec(output());
    const status = /Indexer status\s+(http:\/\/\S+)\/ready/.exec(output());
    if (api && chain && status) {
      return { child, apiUrl: api[1], chainUrl: chain[1], statusUrl: status[1], output, exited };
    }
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output()}`);
    if (Date.now() > deadline) {
      killGroup(child.pid!, "SIGKILL");
      throw new Error(`npm start printed no banner within ${PATIENCE_MS / 1000} s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends `signal` to every process of the group led by `pid` that is still there. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Sends `signal` to npm start's whole process group and waits for npm to exit. */
async function signalGroup(started: Started, signal: NodeJS.Signals): Promise<number | null> {
  killGroup(started.child.pid!, signal);
  const timer = setTimeout(() => killGroup(started.child.pid!, "SIGKILL"), PATIENCE_MS);
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

/** Polls `query` until `done` holds for its answer. */
async function waitFor(
  apiUrl: string,
  query: string,
  done: (data: Json) => boolean,
  what: string,
): Promise<Json> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const data = await gql(apiUrl, query).catch(() => null);
    if (data && done(data)) return data;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

const caughtUp = (apiUrl: string) =>
  waitFor(
    apiUrl,
    "{ indexerStatus { lastIndexedBlock headLag } }",
    (data) => {
      const status = data.indexerStatus as { lastIndexedBlock: string | null; headLag: string };
      return status?.lastIndexedBlock != null && status.headLag === "0";
    },
    "the indexer caught up",
  );

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

const profileQuery = (handle: string) =>
  `{ profiles(where: { handle: "${handle}" }) { nodes { id handle } } }`;

/** Waits until the API serves the profile `handle`. */
const served = (apiUrl: string, handle: string) =>
  waitFor(
    apiUrl,
    profileQuery(handle),
    (data) => (data.profiles as { nodes: unknown[] }).nodes.length === 1,
    `the API serves the profile ${handle}`,
  );

const portOf = (url: string) => Number(new URL(url).port);

/** Lines that a quiet stop must not print: warnings, errors, stack traces. */
const NOISE = /"level":"(warn|error|fatal)"|^\s+at \S+ \(/m;

/** The lines of `output` that NOISE matches, for the failure message. */
const noiseIn = (output: string) =>
  output
    .split("\n")
    .filter((line) => NOISE.test(line))
    .join("\n");

/**
 * The lines of `output` logged at or after `since` (ms): a JSON log line by its `time`, any
 * other line as it is. Output read after a signal can still hold lines logged before it.
 */
const loggedSince = (output: string, since: number) =>
  output
    .split("\n")
    .filter((line) => {
      const time = /^\{"level":"\w+","time":"([^"]+)"/.exec(line)?.[1];
      return time === undefined || Date.parse(time) >= since;
    })
    .join("\n");

describe("npm start (devnet/start.ts)", function () {
  this.timeout(2 * PATIENCE_MS);
  // A private folder (mode 700, as `mktemp -d` makes) holds the chain journal and the Postgres.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-start-"));
  let env: Record<string, string>;
  let running: Started | undefined;
  let provider: JsonRpcProvider | undefined;
  /** What the API served before the last stop. */
  let lastServed: Snapshot;

  before(async function () {
    env = {
      AGORA_DATA_DIR: dataDir,
      DEPLOYMENT_FILE: path.join(dataDir, "deployment.json"),
      AGORA_NODE_PORT: String(await freePort()),
      API_PORT: "0",
      APP_PORT: "0",
      INDEXER_HTTP_PORT: "0",
      API_METRICS_PORT: "0",
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      POLL_INTERVAL_MS: "100",
    };
  });

  after(async function () {
    provider?.destroy();
    if (running && running.child.exitCode === null) await signalGroup(running, "SIGKILL");
    // The embedded Postgres runs as a dedicated user that owns files here.
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A new wallet with some ETH, and the registry connected to it. */
  async function newWallet(): Promise<{ registry: ProfileRegistry; address: string }> {
    provider ??= new JsonRpcProvider(`http://127.0.0.1:${env.AGORA_NODE_PORT}`, undefined, {
      cacheTimeout: -1,
    });
    const funder = new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
    const wallet = Wallet.createRandom().connect(provider);
    await (await funder.sendTransaction({ to: wallet.address, value: parseEther("1") })).wait();
    const deployment = JSON.parse(fs.readFileSync(env.DEPLOYMENT_FILE, "utf8")) as {
      contracts: { ProfileRegistry: { address: string } };
    };
    return {
      registry: ProfileRegistry__factory.connect(
        deployment.contracts.ProfileRegistry.address,
        wallet,
      ),
      address: wallet.address,
    };
  }

  it("seeds a demo, serves it on 127.0.0.1 only, and follows new activity live", async function () {
    running = await npmStart(env);
    const apiUrl = running.apiUrl;
    expect(running.output()).to.match(/demo seeded/);
    await caughtUp(apiUrl);

    // The app, configured for this chain and this API.
    const appUrl = /App\s+(http:\/\/\S+)/.exec(running.output())![1];
    const page = await (await fetch(appUrl)).text();
    expect(page).to.contain('"chainId":31337');
    expect(page).to.contain(`"apiUrl":"${apiUrl}"`);

    // The seeded demo, through the HTTP API.
    const seeded = await snapshot(apiUrl);
    expect(seeded.profiles.length).to.be.at.least(20);
    expect(seeded.profiles.map((p) => p.handle)).to.include.members(["alice", "bob", "zoe"]);
    expect(seeded.posts.length).to.be.at.least(20);
    const demo = (await gql(
      apiUrl,
      `{ stats { coins trades tips proposals }
         proposals(where: { state: "Executed" }) { nodes { description } } }`,
    )) as {
      stats: { coins: number; trades: number; tips: number; proposals: number };
      proposals: { nodes: { description: string }[] };
    };
    expect(demo.stats.coins).to.equal(12);
    expect(demo.stats.trades).to.be.at.least(100);
    expect(demo.stats.tips).to.be.at.least(20);
    expect(demo.stats.proposals).to.equal(2);
    expect(demo.proposals.nodes.map((p) => p.description)).to.deep.equal([
      "Raise the creator share of protocol revenue to 25%",
    ]);

    // Every port it opened, as the kernel's socket table lists them.
    for (const url of [running.apiUrl, running.chainUrl, running.statusUrl]) {
      expect(listeningAddresses(portOf(url)), url).to.deep.equal(["127.0.0.1"]);
    }
    expect(listeningAddresses(Number(env.EMBEDDED_POSTGRES_PORT))).to.deep.equal(["127.0.0.1"]);

    // A new post from a wallet, over SSE and through a query.
    const { registry, address } = await newWallet();
    await (await registry.register("live_poster", "ipfs://live")).wait();
    const id = await registry.profileIdOf(address);
    const stream = await subscribe(
      apiUrl,
      `subscription { postCreated(authorIds: ["${id}"]) { id contentUri author { handle } } }`,
    );
    try {
      const live = stream.next();
      await (await registry.post(id, "ipfs://start-test/hello")).wait();
      const expectedId = ((id << 64n) | 1n).toString();
      await waitFor(
        apiUrl,
        `{ posts(where: { id: "${expectedId}" }) { nodes { id } } }`,
        (data) => (data.posts as { nodes: unknown[] }).nodes.length === 1,
        "the new post is served",
      );
      expect(((await live) as { data: { postCreated: Json } }).data.postCreated).to.deep.equal({
        id: expectedId,
        contentUri: "ipfs://start-test/hello",
        author: { handle: "live_poster" },
      });
    } finally {
      stream.close();
    }
  });

  it("stops quietly with code 0 on a terminal's Ctrl-C, keeping the block the API served last", async function () {
    const { registry } = await newWallet();
    await (await registry.register("ctrl_c", "ipfs://ctrl-c")).wait();
    await served(running!.apiUrl, "ctrl_c");
    lastServed = await snapshot(running!.apiUrl);

    // Ctrl-C at once: the terminal sends SIGINT to every process of the foreground group.
    const mark = running!.output().length;
    const signalledAt = Date.now();
    expect(await signalGroup(running!, "SIGINT"), running!.output()).to.equal(0);
    const after = loggedSince(running!.output().slice(mark), signalledAt);
    expect(after, noiseIn(after)).to.not.match(NOISE);
    expect(after).to.match(/"msg":"stopped"/);
    // Nothing left listening: the node, the Postgres and the servers are gone.
    for (const url of [running!.apiUrl, running!.chainUrl, running!.statusUrl]) {
      expect(listeningAddresses(portOf(url)), url).to.deep.equal([]);
    }
    expect(listeningAddresses(Number(env.EMBEDDED_POSTGRES_PORT))).to.deep.equal([]);

    // The next start replays the journal instead of seeding again.
    running = await npmStart(env);
    expect(running.output()).to.match(/local chain restored from its journal/);
    expect(running.output()).to.not.match(/demo seeded/);
    await caughtUp(running.apiUrl);
    const now = await snapshot(running.apiUrl);
    expect(now).to.deep.equal(lastServed);
    expect(now.profiles.map((p) => p.handle)).to.include("ctrl_c");
  });

  it("refuses a second npm start on the same data folder", async function () {
    const second = spawnNpmStart({
      ...env,
      AGORA_NODE_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    });
    const code = await second.exited;
    expect(code, second.output()).to.not.equal(0);
    expect(second.output()).to.match(/npm start is already running on .*agora-start-/);
    // The first one still serves.
    await caughtUp(running!.apiUrl);
  });

  it("keeps every block the API served through a fatal error of the indexer", async function () {
    // One failure, injected into the indexer's next write of a post.
    const db = new pg.Client({
      connectionString: `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/agora`,
    });
    await db.connect();
    await db.query(`CREATE SEQUENCE injected_failures;
      CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('injected_failures') = 1 THEN
          RAISE EXCEPTION 'injected failure' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_once BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION fail_once();`);
    await db.end();

    const { registry, address } = await newWallet();
    await (await registry.register("fatal_exit", "ipfs://fatal")).wait();
    await served(running!.apiUrl, "fatal_exit");
    const id = await registry.profileIdOf(address);
    await (await registry.post(id, "ipfs://fatal/post")).wait();
    expect(await running!.exited, running!.output()).to.equal(1);
    expect(running!.output()).to.match(/"level":"fatal".*injected failure/);
    expect(listeningAddresses(Number(env.EMBEDDED_POSTGRES_PORT))).to.deep.equal([]);

    running = await npmStart(env);
    await caughtUp(running.apiUrl);
    const now = await snapshot(running.apiUrl);
    expect(now.profiles.map((p) => p.handle)).to.include("fatal_exit");
    expect(now.posts.map((p) => p.contentUri)).to.include("ipfs://fatal/post");
  });

  it("keeps every block the API served through a kill -9 of npm start, and listens where HOST says", async function () {
    const { registry } = await newWallet();
    await (await registry.register("killed_9", "ipfs://killed")).wait();
    await served(running!.apiUrl, "killed_9");
    await signalGroup(running!, "SIGKILL");

    // Restarted at once: the old Postgres may still be shutting down.
    running = await npmStart({ ...env, HOST: "0.0.0.0" });
    await caughtUp(running.apiUrl);
    expect((await snapshot(running.apiUrl)).profiles.map((p) => p.handle)).to.include("killed_9");
    expect(running.output()).to.match(/listening on 0\.0\.0\.0, as HOST says/);
    for (const url of [running.apiUrl, running.chainUrl, running.statusUrl]) {
      expect(listeningAddresses(portOf(url)), url).to.deep.equal(["0.0.0.0"]);
    }
    expect(await signalGroup(running, "SIGINT"), running.output()).to.equal(0);
  });

  it("refuses to overwrite the deployment file of another chain when it runs a local one", async function () {
    const foreign = path.join(dataDir, "base.json");
    const content = JSON.stringify({ network: "base", chainId: 8453, contracts: {} });
    fs.writeFileSync(foreign, content);
    const failed = spawnNpmStart({ ...env, DEPLOYMENT_FILE: foreign });
    expect(await failed.exited).to.not.equal(0);
    expect(failed.output()).to.match(
      /DEPLOYMENT_FILE .*base\.json describes base \(chain 8453\); without RPC_URL npm start runs a local chain and would overwrite it/,
    );
    expect(fs.readFileSync(foreign, "utf8")).to.equal(content);
  });
});
