import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { HARDHAT_ACCOUNT_0_KEY } from "../../deploy/networks";
import { loadParameters } from "../../deploy/parameters";
import { callsOf, contractsOf } from "../../deploy/plan";
import { readJournal } from "../../deploy/steps";
import { rpc, startLocalNode, type LocalNode } from "../../devnet/node";
import { freePort } from "../devnet/helpers";
import { startExplorer } from "./explorer";
import { createTestDatabase, type TestDatabase } from "../indexer/helpers";

const ROOT = path.resolve(__dirname, "..", "..");
/** Generous: the machine may be shared and slow; nothing here measures speed. */
const PATIENCE_MS = 300_000;
const BASE = loadParameters(path.join(ROOT, "deploy", "parameters", "base.json"));
const STEPS = contractsOf(BASE).length + callsOf().length;
const SUPPORTER_1 = BASE.distribution.find((a) => a.name === "early supporter 1")!;

interface Run {
  code: Promise<number | null>;
  output: () => string;
  pid: number;
}

/** Runs an npm script as its own process group with `env` on top of a clean environment. */
function npm(args: string[], env: Record<string, string>): Run {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    "RPC_URL",
    "CHAIN_ID",
    "DATABASE_URL",
    "NETWORK",
    "DEPLOYER_PRIVATE_KEY",
    "DEPLOYER_MNEMONIC",
    "ETHERSCAN_API_KEY",
    "BLOCKSCOUT_URL",
    // hardhat-verify sends every explorer request through it; the explorer here is local.
    "http_proxy",
    "HARDHAT_CHAIN_ID",
    "DEPLOY_PARAMETERS",
  ]) {
    delete childEnv[name];
  }
  const child = spawn("npm", args, {
    cwd: ROOT,
    env: { ...childEnv, TS_NODE_TRANSPILE_ONLY: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output: () => output, pid: child.pid! };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A launch rehearsal: a local Hardhat node under Base's chain id (8453), deployed through the
 * command and the parameters file a Base launch uses (npm run deploy -- --network base, with
 * BASE_RPC_URL pointing at the node), killed half-way and resumed, audited, then indexed by
 * npm start given RPC_URL and DEPLOYMENT_FILE.
 */
describe("A launch on chain 8453, end to end (npm run deploy, deploy:check, npm start)", function () {
  this.timeout(4 * PATIENCE_MS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-launch-"));
  let node: LocalNode;
  let provider: JsonRpcProvider;
  let database: TestDatabase;
  let env: Record<string, string>;
  const running: Run[] = [];

  before(async function () {
    process.env.HARDHAT_CHAIN_ID = "8453";
    try {
      node = await startLocalNode(ROOT, await freePort());
    } finally {
      delete process.env.HARDHAT_CHAIN_ID;
    }
    // Blocks on an interval, like a real chain: each deployment step waits for its block, so a
    // deployment takes long enough to be interrupted after its fourth step.
    await rpc(node.url, "evm_setAutomine", [false]);
    await rpc(node.url, "evm_setIntervalMining", [500]);
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    database = await createTestDatabase("launch");
    env = {
      BASE_RPC_URL: node.url,
      DEPLOYER_PRIVATE_KEY: HARDHAT_ACCOUNT_0_KEY,
      AGORA_REHEARSAL: "1",
      AGORA_DEPLOYMENTS_DIR: dir,
    };
  });

  after(async function () {
    for (const run of running) killGroup(run.pid, "SIGKILL");
    provider?.destroy();
    await node?.stop();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs on a node that answers chain id 8453", async function () {
    expect(await rpc(node.url, "eth_chainId")).to.equal("0x2105");
  });

  it("refuses a real network without a deployer key, and placeholder recipients without AGORA_REHEARSAL", async function () {
    const keyless = npm(["run", "deploy", "--", "--network", "base"], {
      BASE_RPC_URL: node.url,
      AGORA_DEPLOYMENTS_DIR: dir,
    });
    expect(await keyless.code).to.not.equal(0);
    expect(keyless.output()).to.match(
      /network base is chain 8453, a real network: set DEPLOYER_PRIVATE_KEY or DEPLOYER_MNEMONIC in the environment/,
    );
    const placeholders = npm(["run", "deploy", "--", "--network", "base"], {
      ...env,
      AGORA_REHEARSAL: "",
    });
    expect(await placeholders.code).to.not.equal(0);
    expect(placeholders.output()).to.match(/base\.json is marked rehearsalOnly/);
    expect(await provider.getTransactionCount(await deployerAddress())).to.equal(0);
  });

  const deployerAddress = async () =>
    (await import("ethers")).computeAddress(HARDHAT_ACCOUNT_0_KEY);

  it("resumes a deployment killed half-way (kill -9) without deploying anything twice, and ends with a passing audit", async function () {
    const journalFile = path.join(dir, "base.journal.json");
    const first = npm(["run", "deploy", "--", "--network", "base"], env);
    running.push(first);
    await until("four steps are mined", () => {
      const journal = fs.existsSync(journalFile) ? readJournal(journalFile) : null;
      const mined = Object.values(journal?.steps ?? {}).filter((s) => s.status === "mined");
      return mined.length >= 4 ? true : undefined;
    });
    killGroup(first.pid, "SIGKILL");
    await first.code;
    const minedBefore = Object.values(readJournal(journalFile)!.steps).filter(
      (s) => s.status === "mined",
    ).length;
    expect(minedBefore).to.be.lessThan(STEPS);
    expect(fs.existsSync(path.join(dir, "base.json"))).to.equal(false);

    const second = npm(["run", "deploy", "--", "--network", "base"], env);
    running.push(second);
    expect(await second.code, second.output()).to.equal(0);
    expect(second.output()).to.match(
      /resumed: \d+ steps were already mined and were not sent again/,
    );
    expect(second.output()).to.match(
      /Source verification skipped: a rehearsal's contracts are on a local node/,
    );
    expect(second.output()).to.match(/Audit passed: \d+ checks/);
    // One transaction per step, whatever was interrupted.
    expect(await provider.getTransactionCount(await deployerAddress())).to.equal(STEPS);

    const deployment = JSON.parse(fs.readFileSync(path.join(dir, "base.json"), "utf8")) as {
      chainId: number;
      commit: string;
      deployer: string;
      contracts: Record<string, { address: string; blockNumber: number; args: unknown[] }>;
      vesting: Record<string, { address: string }>;
    };
    expect(deployment.chainId).to.equal(8453);
    expect(deployment.commit).to.match(/^[0-9a-f]{40}$/);
    expect(deployment.contracts.AgoraGovernor.args).to.have.length(6);
    expect(Object.keys(deployment.vesting)).to.have.length(5);
    for (const { address } of Object.values(deployment.contracts)) {
      expect(await provider.getCode(address)).to.not.equal("0x");
    }
  });

  it("audits the deployment again with npm run deploy:check", async function () {
    const check = npm(["run", "deploy:check", "--", "--network", "base"], env);
    running.push(check);
    expect(await check.code, check.output()).to.equal(0);
    expect(check.output()).to.match(/ok {4}the timelock is its own admin/);
    expect(check.output()).to.match(/ok {4}CreatorCoinFactory is governed by the timelock/);
  });

  it("verifies every source on a Blockscout explorer with npm run deploy:verify, and only once", async function () {
    const explorer = await startExplorer();
    try {
      const deployment = JSON.parse(fs.readFileSync(path.join(dir, "base.json"), "utf8")) as {
        contracts: Record<string, { address: string }>;
        vesting: Record<string, { address: string }>;
      };
      const expected = [
        ...Object.entries(deployment.contracts)
          // The factory deploys the coin implementation; it is not the suite's to verify.
          .filter(([name]) => name !== "CreatorCoin")
          .map(([name, { address }]) => [address.toLowerCase(), name] as const),
        ...Object.values(deployment.vesting).map(
          ({ address }) => [address.toLowerCase(), "TokenVesting"] as const,
        ),
      ];
      const verify = () =>
        npm(["run", "deploy:verify", "--", "--network", "base"], {
          ...env,
          BLOCKSCOUT_URL: explorer.url,
        });
      const first = verify();
      running.push(first);
      expect(await first.code, first.output()).to.equal(0);
      expect(
        explorer.submissions.map((s) => [s.address, s.contractName.split(":")[1]]),
      ).to.have.deep.members(expected.map(([address, name]) => [address, name]));
      for (const submission of explorer.submissions) {
        const [sourceName] = submission.contractName.split(":");
        expect(submission.codeFormat).to.equal("solidity-standard-json-input");
        expect(submission.compilerVersion).to.match(/^v0\.8\.28\+commit\.[0-9a-f]{8}$/);
        const input = JSON.parse(submission.sourceCode) as {
          sources: Record<string, unknown>;
          settings: { optimizer: { runs: number }; evmVersion: string };
        };
        expect(input.sources, submission.contractName).to.have.property(sourceName);
        expect(input.settings.optimizer.runs).to.equal(10_000);
        expect(input.settings.evmVersion).to.equal("cancun");
      }
      expect(explorer.verified.size).to.equal(expected.length);

      // A second run (after an interrupted one, say) submits nothing again.
      const second = verify();
      running.push(second);
      expect(await second.code, second.output()).to.equal(0);
      expect(explorer.submissions).to.have.length(expected.length);
      expect(second.output()).to.match(/already been verified/);
    } finally {
      await explorer.close();
    }
  });

  it("is indexed by npm start given RPC_URL and DEPLOYMENT_FILE", async function () {
    const start = npm(["start"], {
      RPC_URL: node.url,
      DEPLOYMENT_FILE: path.join(dir, "base.json"),
      DATABASE_URL: database.url,
      API_PORT: "0",
      APP_PORT: "0",
      INDEXER_HTTP_PORT: "0",
      API_METRICS_PORT: "0",
      POLL_INTERVAL_MS: "200",
      AGORA_DATA_DIR: path.join(dir, "data"),
    });
    running.push(start);
    const apiUrl = await until("npm start prints its banner", () => {
      if (start.output().includes("exited") || /"level":"fatal"/.test(start.output())) {
        throw new Error(`npm start failed:\n${start.output()}`);
      }
      return /GraphQL API \+ GraphiQL\s+(http:\/\/\S+)/.exec(start.output())?.[1];
    });
    expect(start.output()).to.match(/JSON-RPC \(chain 8453\)/);
    const query = async (q: string) => {
      const response = await fetch(apiUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: q }),
      });
      return ((await response.json()) as { data?: Record<string, unknown> }).data;
    };
    const power = await until("the genesis votes are indexed", async () => {
      const data = await query(
        `{ votingPower(address: "${SUPPORTER_1.recipient}") indexerStatus { headLag } }`,
      ).catch(() => undefined);
      const status = data?.indexerStatus as { headLag: string } | undefined;
      return status?.headLag === "0" && data?.votingPower !== "0" ? data!.votingPower : undefined;
    });
    expect(power).to.equal(SUPPORTER_1.amount.toString());
    killGroup(start.pid, "SIGINT");
    expect(await start.code, start.output()).to.equal(0);
  });
});
