import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Launch, Suite } from "./suite";

/** What `deployments/<network>.json` holds: everything an indexer or frontend needs to start. */
export interface DeploymentFile {
  network: string;
  chainId: number;
  commit: string;
  contracts: Record<string, DeployedContract>;
  /** A launch from a parameters file also records who deployed it and from which file. */
  deployer?: string;
  parameters?: string;
  /** Vesting wallets of the genesis distribution, by allocation name. */
  vesting?: Record<string, DeployedContract>;
}

export interface DeployedContract {
  address: string;
  blockNumber: number;
  /** Constructor arguments as JSON (integers as decimal strings), for verification. */
  args?: unknown[];
}

/** Constructor arguments as JSON: bigints become decimal strings. */
function jsonArgs(args: unknown[]): unknown[] {
  return JSON.parse(
    JSON.stringify(args, (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    ),
  ) as unknown[];
}

/** Contract names as they appear in deployment files and in `abi/`. */
const CONTRACT_NAMES: Record<keyof Suite, string> = {
  profileRegistry: "ProfileRegistry",
  governanceToken: "GovernanceToken",
  timelock: "AgoraTimelock",
  governor: "AgoraGovernor",
  revenueSplit: "RevenueSplit",
  tipJar: "TipJar",
  creatorCoinFactory: "CreatorCoinFactory",
  creatorCoinImplementation: "CreatorCoin",
  moderation: "Moderation",
  messaging: "Messaging",
};

function currentCommit(): string {
  try {
    return execSync("git rev-parse HEAD", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

export function toDeploymentFile(network: string, chainId: number, suite: Suite): DeploymentFile {
  const contracts: DeploymentFile["contracts"] = {};
  for (const key of Object.keys(CONTRACT_NAMES) as (keyof Suite)[]) {
    const { address, blockNumber } = suite[key];
    contracts[CONTRACT_NAMES[key]] = { address: address.toLowerCase(), blockNumber };
  }
  return { network, chainId, commit: currentCommit(), contracts };
}

/** The deployment file of a launch: addresses, blocks and constructor arguments of everything. */
export function toLaunchFile(
  network: string,
  chainId: number,
  launch: Launch,
  meta: { deployer: string; parameters: string },
): DeploymentFile {
  const file = toDeploymentFile(network, chainId, launch.suite);
  for (const [key, name] of Object.entries(CONTRACT_NAMES)) {
    file.contracts[name].args = jsonArgs(launch.contracts[key].args);
  }
  const vesting: Record<string, DeployedContract> = {};
  for (const [name, wallet] of Object.entries(launch.vesting)) {
    const planned = launch.contracts[`vesting:${name}`];
    vesting[name] = {
      address: wallet.address.toLowerCase(),
      blockNumber: wallet.blockNumber,
      args: jsonArgs(planned.args),
    };
  }
  return { ...file, deployer: meta.deployer, parameters: meta.parameters, vesting };
}

/** deployments/ of the repository, or AGORA_DEPLOYMENTS_DIR (a launch rehearsal writes elsewhere). */
export function deploymentsDir(root: string, env = process.env): string {
  return env.AGORA_DEPLOYMENTS_DIR
    ? path.resolve(env.AGORA_DEPLOYMENTS_DIR)
    : path.join(root, "deployments");
}

export function deploymentPath(root: string, network: string): string {
  return path.join(root, "deployments", `${network}.json`);
}

export function writeDeploymentFile(
  root: string,
  file: DeploymentFile,
  dir = path.join(root, "deployments"),
): string {
  const target = path.join(dir, `${file.network}.json`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(file, null, 2) + "\n");
  return target;
}

export function readDeploymentFile(file: string): DeploymentFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentFile;
}
