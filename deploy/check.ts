import hre from "hardhat";
import { parametersFor, printAudit, readTargetDeployment, targetOf } from "./launch";

/**
 * `npm run deploy:check -- --network <name>`: audits deployments/<name>.json on chain against
 * deploy/parameters/<name>.json. Exits 1 on any violation.
 */
async function main(): Promise<void> {
  const target = await targetOf(hre);
  const report = await printAudit(hre, readTargetDeployment(target), parametersFor(target));
  if (report.violations.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `deploy:check failed: ${error.message}` : error);
  process.exitCode = 1;
});
