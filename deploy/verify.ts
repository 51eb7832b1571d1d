import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeploymentFile } from "./deployment";
import { blockscoutChains } from "./networks";

/** Contracts a verifier must not be asked about: the factory deploys the coin implementation. */
const DEPLOYED_BY_THE_SUITE = new Set(["CreatorCoin"]);

/** An explorer that verifies sources, with the hardhat-verify subtask that talks to it. */
export interface Explorer {
  name: "Etherscan" | "Blockscout";
  subtask: "verify:etherscan" | "verify:blockscout";
}

/**
 * The explorers that can verify sources on `chainId`: Etherscan when ETHERSCAN_API_KEY is set
 * (one V2 key serves Base, Optimism and Sepolia alike), and Blockscout, which needs no key,
 * where the chain has a known explorer or BLOCKSCOUT_URL names one. `publicOnly`: leave out
 * the known public Blockscout explorers (a rehearsal on a local node under a real chain id has
 * nothing to show them), keeping one BLOCKSCOUT_URL names.
 */
export function explorersFor(
  chainId: number,
  { env = process.env, publicOnly = false } = {},
): Explorer[] {
  const explorers: Explorer[] = [];
  if (env.ETHERSCAN_API_KEY && !publicOnly) {
    explorers.push({ name: "Etherscan", subtask: "verify:etherscan" });
  }
  const blockscout = blockscoutChains(env).some((chain) => chain.chainId === chainId);
  if (blockscout && (!publicOnly || env.BLOCKSCOUT_URL)) {
    explorers.push({ name: "Blockscout", subtask: "verify:blockscout" });
  }
  return explorers;
}

/**
 * Verifies every contract of `file` on each of `explorers` through hardhat-verify's subtasks,
 * naming each contract by its fully qualified name, so that two contracts with the same
 * bytecode cannot be mistaken for each other. A contract already verified is left as it is, so
 * a run that stopped half-way is simply run again. Without an explorer, says how to verify
 * later. Returns the number of contracts that failed on some explorer.
 */
export async function verifyDeployment(
  hre: HardhatRuntimeEnvironment,
  file: DeploymentFile,
  explorers: Explorer[] = explorersFor(file.chainId),
): Promise<number> {
  const network = file.network;
  if (explorers.length === 0) {
    console.log(
      `\nSource verification skipped: ETHERSCAN_API_KEY is not set and chain ${file.chainId} has no Blockscout explorer here. Later, run\n` +
        `  ETHERSCAN_API_KEY=<key> npm run deploy:verify -- --network ${network}\n` +
        `or BLOCKSCOUT_URL=<explorer> npm run deploy:verify -- --network ${network}\n` +
        `(it reads the constructor arguments from deployments/${network}.json).`,
    );
    return 0;
  }
  const entries = [
    ...Object.entries(file.contracts)
      .filter(([name]) => !DEPLOYED_BY_THE_SUITE.has(name))
      .map(([name, deployed]) => [name, name, deployed] as const),
    ...Object.entries(file.vesting ?? {}).map(
      ([name, deployed]) => [`TokenVesting "${name}"`, "TokenVesting", deployed] as const,
    ),
  ];
  let failures = 0;
  for (const [label, contractName, { address, args }] of entries) {
    const { sourceName } = await hre.artifacts.readArtifact(contractName);
    const contract = `${sourceName}:${contractName}`;
    for (const explorer of explorers) {
      try {
        await hre.run(explorer.subtask, {
          address,
          contract,
          libraries: {},
          ...(explorer.name === "Etherscan" ? { constructorArgsParams: args ?? [] } : {}),
        });
        console.log(`${explorer.name}: ${label} at ${address} is verified`);
      } catch (error) {
        const message = (error as Error).message;
        if (/already verified/i.test(message)) {
          console.log(`${explorer.name}: ${label} at ${address} was already verified`);
        } else {
          failures += 1;
          console.error(
            `${explorer.name}: verification of ${label} at ${address} failed: ${message}`,
          );
        }
      }
    }
  }
  return failures;
}
