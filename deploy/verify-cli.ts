import hre from "hardhat";
import { readTargetDeployment, targetOf } from "./launch";
import { explorersFor, verifyDeployment } from "./verify";

/**
 * `npm run deploy:verify -- --network <name>`: verifies deployments/<name>.json's sources on
 * Etherscan (with ETHERSCAN_API_KEY) and on the chain's Blockscout explorer (or BLOCKSCOUT_URL).
 */
async function main(): Promise<void> {
  const target = await targetOf(hre);
  const explorers = explorersFor(target.chainId);
  if (explorers.length === 0) {
    throw new Error(
      `chain ${target.chainId} has no Blockscout explorer here: set ETHERSCAN_API_KEY (an Etherscan V2 API key) or BLOCKSCOUT_URL (an explorer's address) to verify sources`,
    );
  }
  const failures = await verifyDeployment(hre, readTargetDeployment(target), explorers);
  if (failures > 0) throw new Error(`${failures} verifications failed`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `deploy:verify failed: ${error.message}` : error);
  process.exitCode = 1;
});
