import hre from "hardhat";
import { deploySuite } from "./suite";
import { toDeploymentFile, writeDeploymentFile } from "./deployment";

/** `npm run deploy -- --network <name>`: deploys the suite and writes deployments/<name>.json. */
async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const [deployer] = await hre.ethers.getSigners();
  const { chainId } = await hre.ethers.provider.getNetwork();
  const suite = await deploySuite(deployer);
  const file = toDeploymentFile(hre.network.name, Number(chainId), suite);
  const target = writeDeploymentFile(hre.config.paths.root, file);
  console.log(`deployed to chain ${file.chainId}; wrote ${target}`);
  for (const [name, { address, blockNumber }] of Object.entries(file.contracts)) {
    console.log(`  ${name.padEnd(20)} ${address}  block ${blockNumber}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
