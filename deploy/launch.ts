import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { auditDeployment, type AuditReport } from "./audit";
import { deploymentsDir, readDeploymentFile, type DeploymentFile } from "./deployment";
import { DEV_CHAIN_IDS } from "./networks";
import { loadParameters, parametersPath, type Parameters } from "./parameters";

/** What the deploy, check and verify commands share: the network, its files and the audit. */

export interface Target {
  network: string;
  chainId: number;
  parametersFile: string;
  deploymentFile: string;
  journalFile: string;
  isDev: boolean;
}

export async function targetOf(hre: HardhatRuntimeEnvironment): Promise<Target> {
  const network = hre.network.name;
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const dir = deploymentsDir(hre.config.paths.root);
  return {
    network,
    chainId,
    parametersFile: parametersPath(hre.config.paths.root, network),
    deploymentFile: path.join(dir, `${network}.json`),
    journalFile: path.join(dir, `${network}.journal.json`),
    isDev: DEV_CHAIN_IDS.includes(chainId),
  };
}

/** Loads the parameters and refuses a file written for another chain. */
export function parametersFor(target: Target): Parameters {
  const parameters = loadParameters(target.parametersFile);
  if (parameters.chainId !== target.chainId) {
    throw new Error(
      `${target.parametersFile} is for chain ${parameters.chainId}, but network ${target.network} is chain ${target.chainId}`,
    );
  }
  return parameters;
}

/** Runs the audit and prints it; true when nothing failed. */
export async function printAudit(
  hre: HardhatRuntimeEnvironment,
  deployment: DeploymentFile,
  parameters: Parameters,
): Promise<AuditReport> {
  const report = await auditDeployment(hre.ethers.provider, deployment, parameters);
  console.log(`\nAudit of ${deployment.network} (chain ${deployment.chainId}):`);
  for (const line of report.passed) console.log(`  ok    ${line}`);
  for (const line of report.violations) console.log(`  FAIL  ${line}`);
  if (report.violations.length > 0) {
    console.error(
      `\nAUDIT FAILED: ${report.violations.length} violation(s). Do not use or announce this deployment.`,
    );
  } else {
    console.log(`\nAudit passed: ${report.passed.length} checks.`);
  }
  return report;
}

export function readTargetDeployment(target: Target): DeploymentFile {
  try {
    return readDeploymentFile(target.deploymentFile);
  } catch (error) {
    throw new Error(
      `cannot read ${target.deploymentFile} (${(error as Error).message}); deploy first with npm run deploy -- --network ${target.network}`,
    );
  }
}
