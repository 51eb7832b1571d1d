import "@nomicfoundation/hardhat-toolbox";
import { subtask, task } from "hardhat/config";
import {
  TASK_COMPILE,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";
import { writeAbiModules } from "./scripts/abi-modules";
import type { HardhatUserConfig } from "hardhat/config";

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
      longVersion: solc.version(),
    };
  },
);

task(TASK_COMPILE).setAction(async (args, hre, runSuper) => {
  const result = await runSuper(args);
  await writeAbiModules(hre);
  return result;
});

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
    hardhat: process.env.AGORA_GENESIS_DATE ? { initialDate: process.env.AGORA_GENESIS_DATE } : {},
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
  mocha: { timeout: 300_000 },
  gasReporter: { enabled: false },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
};

export default config;
