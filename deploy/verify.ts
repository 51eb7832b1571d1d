import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeploymentFile } from "./deployment";

/** Contracts a verifier must not be asked about: the factory deploys the coin implementation. */
const DEPLOYED_BY_THE_SUITE = new Set(["CreatorCoin"]);

/**
 * Verifies every contract of `file` on the chain's explorer through hardhat-verify when
 * ETHERSCAN_API_KEY is set (an Etherscan V2 key serves Base, Optimism and Sepolia alike);
 * without it, says how to do it later.
 */
export async function verifyDeployment(
  hre: HardhatRuntimeEnvironment,
  file: DeploymentFile,
): Promise<void> {
  const network = file.network;
  if (!process.env.ETHERSCAN_API_KEY) {
    console.log(
      `\nSource verification skipped: ETHERSCAN_API_KEY is not set. Later, run\n` +
        `  ETHERSCAN_API_KEY=<key> npm run deploy:verify -- --network ${network}\n` +
        `(it reads the constructor arguments from deployments/${network}.json).`,
    );
    return;
  }
  const entries = [
    ...Object.entries(file.contracts).filter(([name]) => !DEPLOYED_BY_THE_SUITE.has(name)),
    ...Object.entries(file.vesting ?? {}).map(
      ([name, v]) => [`TokenVesting "${name}"`, v] as const,
    ),
  ];
  for (const [name, { address, args }] of entries) {
    try {
      await hre.run("verify:verify", { address, constructorArguments: args ?? [] });
      console.log(`verified ${name} at ${address}`);
    } catch (error) {
      const message = (error as Error).message;
      if (/already verified/i.test(message))
        console.log(`${name} at ${address} was already verified`);
      else console.error(`verification of ${name} at ${address} failed: ${message}`);
    }
  }
}
