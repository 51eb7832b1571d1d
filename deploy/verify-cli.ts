import hre from "hardhat";
import { readTargetDeployment, targetOf } from "./launch";
import { verifyDeployment } from "./verify";

/** `npm run deploy:verify -- --network <name>`: verifies deployments/<name>.json's sources. */
async function main(): Promise<void> {
  const target = await targetOf(hre);
  if (!process.env.ETHERSCAN_API_KEY) {
    throw new Error("set ETHERSCAN_API_KEY (an Etherscan V2 API key) to verify sources");
  }
  await verifyDeployment(hre, readTargetDeployment(target));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `deploy:verify failed: ${error.message}` : error);
  process.exitCode = 1;
});
