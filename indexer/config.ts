import { readFileSync, existsSync } from "node:fs";
import path from "node:path";

/** Where one contract lives and the block it was deployed in. */
export interface ContractDeployment {
  address: `0x${string}`;
  blockNumber: bigint;
}

export interface Deployment {
  chainId: number;
  commit?: string;
  contracts: Record<string, ContractDeployment>;
}

export interface IndexerConfig {
  rpcUrl: string;
  chainId: number;
  deploymentFile: string;
  deployment: Deployment;
  /** Blocks behind the head that are left alone until they are this deep. */
  confirmations: number;
  /** Deepest reorg the sync can undo; block hashes are kept this far back. */
  maxReorgDepth: number;
  /** First eth_getLogs range, in blocks; it then grows and shrinks with the replies. */
  initialBlockRange: number;
  maxBlockRange: number;
  /** A reply with fewer logs than this lets the next range double. */
  targetLogsPerRequest: number;
  pollIntervalMs: number;
  rpcTimeoutMs: number;
  rpcMaxRetries: number;
  /** Empty: start an embedded Postgres with its data in `embeddedPostgresDir`. */
  databaseUrl: string;
  embeddedPostgresDir: string;
  embeddedPostgresPort: number;
  /** HTTP port of /health, /ready and /metrics; 0 picks a free one. */
  httpPort: number;
  logLevel: string;
}

/** A configuration value is missing or wrong; the message names the option and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`Invalid config option ${option}: ${message}`);
    this.name = "ConfigError";
  }
}

interface OptionSpec {
  /** Key in the JSON config file. */
  key: keyof RawConfig;
  env: string;
}

type RawConfig = {
  rpcUrl?: unknown;
  chainId?: unknown;
  network?: unknown;
  deploymentFile?: unknown;
  confirmations?: unknown;
  maxReorgDepth?: unknown;
  initialBlockRange?: unknown;
  maxBlockRange?: unknown;
  targetLogsPerRequest?: unknown;
  pollIntervalMs?: unknown;
  rpcTimeoutMs?: unknown;
  rpcMaxRetries?: unknown;
  databaseUrl?: unknown;
  embeddedPostgresDir?: unknown;
  embeddedPostgresPort?: unknown;
  httpPort?: unknown;
  logLevel?: unknown;
};

const OPTIONS: Record<keyof RawConfig, OptionSpec> = {
  rpcUrl: { key: "rpcUrl", env: "RPC_URL" },
  chainId: { key: "chainId", env: "CHAIN_ID" },
  network: { key: "network", env: "NETWORK" },
  deploymentFile: { key: "deploymentFile", env: "DEPLOYMENT_FILE" },
  confirmations: { key: "confirmations", env: "CONFIRMATIONS" },
  maxReorgDepth: { key: "maxReorgDepth", env: "MAX_REORG_DEPTH" },
  initialBlockRange: { key: "initialBlockRange", env: "INITIAL_BLOCK_RANGE" },
  maxBlockRange: { key: "maxBlockRange", env: "MAX_BLOCK_RANGE" },
  targetLogsPerRequest: { key: "targetLogsPerRequest", env: "TARGET_LOGS_PER_REQUEST" },
  pollIntervalMs: { key: "pollIntervalMs", env: "POLL_INTERVAL_MS" },
  rpcTimeoutMs: { key: "rpcTimeoutMs", env: "RPC_TIMEOUT_MS" },
  rpcMaxRetries: { key: "rpcMaxRetries", env: "RPC_MAX_RETRIES" },
  databaseUrl: { key: "databaseUrl", env: "DATABASE_URL" },
  embeddedPostgresDir: { key: "embeddedPostgresDir", env: "EMBEDDED_POSTGRES_DIR" },
  embeddedPostgresPort: { key: "embeddedPostgresPort", env: "EMBEDDED_POSTGRES_PORT" },
  httpPort: { key: "httpPort", env: "INDEXER_HTTP_PORT" },
  logLevel: { key: "logLevel", env: "LOG_LEVEL" },
};

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** How an option is named in messages: both of its spellings. */
function optionName(key: keyof RawConfig): string {
  return `${OPTIONS[key].env} (config file: "${key}")`;
}

export interface LoadConfigParams {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** JSON config file; INDEXER_CONFIG names it when not given. Environment variables win. */
  configFile?: string;
  /** Base for relative paths; defaults to the current directory. */
  cwd?: string;
}

/**
 * Reads every option from the environment, falling back to the JSON config file, then to the
 * default. Throws ConfigError naming the first wrong option.
 */
export function loadConfig(params: LoadConfigParams = {}): IndexerConfig {
  const env = params.env ?? process.env;
  const cwd = params.cwd ?? process.cwd();
  const file = readConfigFile(params.configFile ?? env.INDEXER_CONFIG, cwd);

  const raw = (key: keyof RawConfig): unknown => {
    const fromEnv = env[OPTIONS[key].env];
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    return file[key];
  };
  const str = (key: keyof RawConfig, fallback: string): string => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== "string") throw new ConfigError(optionName(key), "must be a string");
    return value;
  };
  const int = (key: keyof RawConfig, fallback: number | undefined, min: number): number => {
    const value = raw(key);
    if (value === undefined) {
      if (fallback === undefined) throw new ConfigError(optionName(key), "is required");
      return fallback;
    }
    const parsed = typeof value === "number" ? value : Number(value);
    if (
      !Number.isSafeInteger(parsed) ||
      parsed < min ||
      (typeof value === "string" && !/^\d+$/.test(value.trim()))
    ) {
      throw new ConfigError(
        optionName(key),
        `must be an integer >= ${min}, got ${JSON.stringify(value)}`,
      );
    }
    return parsed;
  };

  const rpcUrl = str("rpcUrl", "http://127.0.0.1:8545");
  if (!/^https?:\/\/.+/.test(rpcUrl)) {
    throw new ConfigError(
      optionName("rpcUrl"),
      `must be an http(s) URL of a JSON-RPC endpoint, got "${rpcUrl}"`,
    );
  }

  const network = str("network", "localhost");
  const deploymentFile = path.resolve(
    cwd,
    str("deploymentFile", path.join("deployments", `${network}.json`)),
  );
  const deployment = readDeployment(deploymentFile);
  const chainId = int("chainId", deployment.chainId, 1);
  if (chainId !== deployment.chainId) {
    throw new ConfigError(
      optionName("chainId"),
      `is ${chainId} but ${deploymentFile} was deployed on chain ${deployment.chainId}; point DEPLOYMENT_FILE at that chain's deployment`,
    );
  }

  const initialBlockRange = int("initialBlockRange", 100, 1);
  const maxBlockRange = int("maxBlockRange", 50_000, 1);
  if (maxBlockRange < initialBlockRange) {
    throw new ConfigError(
      optionName("maxBlockRange"),
      `must be >= INITIAL_BLOCK_RANGE (${initialBlockRange})`,
    );
  }

  const databaseUrl = str("databaseUrl", "");
  if (databaseUrl !== "" && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      optionName("databaseUrl"),
      "must be a postgres:// URL, or empty for the embedded Postgres",
    );
  }

  const logLevel = str("logLevel", "info");
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(optionName("logLevel"), `must be one of ${LOG_LEVELS.join(", ")}`);
  }

  return {
    rpcUrl,
    chainId,
    deploymentFile,
    deployment,
    confirmations: int("confirmations", 0, 0),
    maxReorgDepth: int("maxReorgDepth", 256, 1),
    initialBlockRange,
    maxBlockRange,
    targetLogsPerRequest: int("targetLogsPerRequest", 5_000, 1),
    pollIntervalMs: int("pollIntervalMs", 1_000, 10),
    rpcTimeoutMs: int("rpcTimeoutMs", 30_000, 100),
    rpcMaxRetries: int("rpcMaxRetries", 8, 0),
    databaseUrl,
    embeddedPostgresDir: path.resolve(
      cwd,
      str("embeddedPostgresDir", path.join(".data", "postgres")),
    ),
    embeddedPostgresPort: int("embeddedPostgresPort", 54329, 1),
    httpPort: int("httpPort", 42069, 0),
    logLevel,
  };

  function readDeployment(file: string): Deployment {
    const name = optionName("deploymentFile");
    if (!existsSync(file)) {
      throw new ConfigError(
        name,
        `${file} does not exist; deploy first (npm run deploy) or set NETWORK / DEPLOYMENT_FILE`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new ConfigError(name, `${file} is not valid JSON (${(error as Error).message})`);
    }
    const doc = parsed as { chainId?: unknown; commit?: unknown; contracts?: unknown };
    if (!Number.isSafeInteger(doc.chainId) || (doc.chainId as number) < 1) {
      throw new ConfigError(name, `${file} has no valid "chainId"`);
    }
    if (typeof doc.contracts !== "object" || doc.contracts === null) {
      throw new ConfigError(name, `${file} has no "contracts" object`);
    }
    const contracts: Record<string, ContractDeployment> = {};
    for (const [contract, value] of Object.entries(doc.contracts as Record<string, unknown>)) {
      const entry = value as { address?: unknown; blockNumber?: unknown };
      if (typeof entry?.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(entry.address)) {
        throw new ConfigError(
          name,
          `${file}: contracts.${contract}.address is not a 20-byte hex address`,
        );
      }
      if (!Number.isSafeInteger(entry.blockNumber) || (entry.blockNumber as number) < 0) {
        throw new ConfigError(
          name,
          `${file}: contracts.${contract}.blockNumber is not a block number`,
        );
      }
      contracts[contract] = {
        address: entry.address.toLowerCase() as `0x${string}`,
        blockNumber: BigInt(entry.blockNumber as number),
      };
    }
    return {
      chainId: doc.chainId as number,
      commit: typeof doc.commit === "string" ? doc.commit : undefined,
      contracts,
    };
  }
}

function readConfigFile(file: string | undefined, cwd: string): RawConfig {
  if (file === undefined || file === "") return {};
  const resolved = path.resolve(cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (error) {
    throw new ConfigError(
      "INDEXER_CONFIG",
      `cannot read ${resolved} as JSON (${(error as Error).message})`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError("INDEXER_CONFIG", `${resolved} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in OPTIONS)) {
      throw new ConfigError(
        `"${key}" in ${resolved}`,
        `is not an option; known options: ${Object.keys(OPTIONS).join(", ")}`,
      );
    }
  }
  return parsed as RawConfig;
}
