import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Suite } from "./suite";

/** What `deployments/<network>.json` holds: everything an indexer or frontend needs to start. */
export interface DeploymentFile {
  network: string;
  chainId: number;
  commit: string;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

/** Contract names as they appear in deployment files and in `abi/`. */
const CONTRACT_NAMES: Record<keyof Suite, string> = {
  profileRegistry: "ProfileRegistry",
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

export function deploymentPath(root: string, network: string): string {
  return path.join(root, "deployments", `${network}.json`);
}

export function writeDeploymentFile(root: string, file: DeploymentFile): string {
  const target = deploymentPath(root, file.network);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(file, null, 2) + "\n");
  return target;
}

export function readDeploymentFile(file: string): DeploymentFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentFile;
}
