import "@nomicfoundation/hardhat-toolbox";
import { subtask, task } from "hardhat/config";
import {
  TASK_COMPILE,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";
import { writeAbiModules } from "./scripts/abi-modules";
import { blockscoutChains, remoteNetworks } from "./deploy/networks";
import type { HardhatUserConfig } from "hardhat/config";
import type { HttpNetworkUserConfig } from "hardhat/types";

const SOLC_VERSION = "0.8.28";

// Hardhat downloads native solc, which needs the internet. The npm `solc` package ships the
// same compiler as WebAssembly, pinned to the same version, so compilation works offline.
subtask(
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  async (args: { solcVersion: string }, _hre, runSuper) => {
    if (args.solcVersion !== SOLC_VERSION) return runSuper();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { version(): string };
    return {
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
      version: SOLC_VERSION,
      // solc.version() of the WebAssembly build ends ".Emscripten.clang"; explorers know
      // compilers by the native long version, which source verification submits.
      longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
    };
  },
);

task(TASK_COMPILE).setAction(async (args, hre, runSuper) => {
  const result = await runSuper(args);
  await writeAbiModules(hre);
  return result;
});

// The deployer key comes from the environment only; deploy/networks.ts refuses a real network
// without one. Public endpoints are the default; <NAME>_RPC_URL overrides each.
const deployerAccounts: HttpNetworkUserConfig["accounts"] = process.env.DEPLOYER_PRIVATE_KEY
  ? [process.env.DEPLOYER_PRIVATE_KEY]
  : process.env.DEPLOYER_MNEMONIC
    ? { mnemonic: process.env.DEPLOYER_MNEMONIC }
    : "remote";
const remote = Object.fromEntries(
  Object.entries(remoteNetworks()).map(([name, network]) => [
    name,
    { ...network, accounts: deployerAccounts } satisfies HttpNetworkUserConfig,
  ]),
);

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    // The local chain of `npm start` pins its genesis time so that its journal replays to the
    // same block hashes (see devnet/journal.ts).
    // HARDHAT_CHAIN_ID runs a local node under a real network's chain id, as a launch rehearsal.
    hardhat: {
      ...(process.env.AGORA_GENESIS_DATE ? { initialDate: process.env.AGORA_GENESIS_DATE } : {}),
      ...(process.env.HARDHAT_CHAIN_ID ? { chainId: Number(process.env.HARDHAT_CHAIN_ID) } : {}),
    },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
    ...remote,
  },
  // Source verification (npm run deploy:verify): one Etherscan V2 key serves every chain above.
  etherscan: { apiKey: process.env.ETHERSCAN_API_KEY ?? "" },
  // Blockscout needs no key. deploy/verify.ts runs its subtask directly, so `enabled` only keeps
  // `npx hardhat verify` to Etherscan.
  blockscout: { enabled: false, customChains: blockscoutChains() },
  sourcify: { enabled: false },
  mocha: { timeout: 300_000 },
  gasReporter: { enabled: false },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
};

export default config;
