import { readFileSync, existsSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { SCHEMA_NAME } from "./db/schemas";

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
  /** A JSON-RPC request without a complete reply after this long fails (and is retried). */
  rpcTimeoutMs: number;
  /** Retries of one JSON-RPC request before the sync step fails (and is retried). */
  rpcMaxRetries: number;
  /** A JSON-RPC reply larger than this fails (eth_getLogs: the range shrinks). */
  rpcMaxResponseBytes: number;
  /** Retries wait a random time up to backoffBaseMs * 2^attempt, at most backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /**
   * Within this many blocks of the head, every block's logsBloom is checked against the logs
   * eth_getLogs returned; deeper, only the blocks the sync reads anyway (first, last, with logs).
   */
  bloomCheckDepth: number;
  /** /ready answers 503 when the indexed block is more than this far behind the head. */
  readyMaxLagBlocks: number;
  /** /ready answers 503 when the database does not answer `SELECT 1` within this. */
  readyTimeoutMs: number;
  /** Empty: start an embedded Postgres with its data in `embeddedPostgresDir`. */
  databaseUrl: string;
  /**
   * The schema the indexer writes (created if missing, migrated, its search_path); empty: the
   * database's default (public). A re-index writes a fresh one (docs/operations.md).
   */
  databaseSchema: string;
  databaseConnectTimeoutMs: number;
  embeddedPostgresDir: string;
  embeddedPostgresPort: number;
  /** HTTP port of /health, /ready and /metrics; 0 picks a free one. */
  httpPort: number;
  /** Address the status server listens on: 127.0.0.1 unless told otherwise. */
  httpHost: string;
  logLevel: string;
  /** The content resolver (docs/metadata.md): runs beside the sync unless `enabled` is false. */
  content: ContentConfig;
}

export interface ContentConfig {
  enabled: boolean;
  concurrency: number;
  timeoutMs: number;
  maxBytes: number;
  maxAttempts: number;
  pollIntervalMs: number;
  /** Base URLs of IPFS HTTP gateways, tried in order. */
  ipfsGateways: string[];
  /** Fetch from loopback, private and link-local addresses (refused by default: SSRF). */
  allowPrivateAddresses: boolean;
  /** Fetch plain http: URLs and gateways (refused by default). */
  allowHttp: boolean;
  /** A refresh of a URI fetched less than this long ago is ignored. */
  refreshMinIntervalMs: number;
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
  rpcMaxResponseBytes?: unknown;
  backoffBaseMs?: unknown;
  backoffMaxMs?: unknown;
  bloomCheckDepth?: unknown;
  readyMaxLagBlocks?: unknown;
  readyTimeoutMs?: unknown;
  databaseUrl?: unknown;
  databaseSchema?: unknown;
  databaseConnectTimeoutMs?: unknown;
  embeddedPostgresDir?: unknown;
  embeddedPostgresPort?: unknown;
  httpPort?: unknown;
  httpHost?: unknown;
  logLevel?: unknown;
  contentResolver?: unknown;
  contentConcurrency?: unknown;
  contentTimeoutMs?: unknown;
  contentMaxBytes?: unknown;
  contentMaxAttempts?: unknown;
  contentPollIntervalMs?: unknown;
  ipfsGateways?: unknown;
  contentAllowPrivateAddresses?: unknown;
  contentAllowHttp?: unknown;
  contentRefreshMinIntervalMs?: unknown;
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
  rpcMaxResponseBytes: { key: "rpcMaxResponseBytes", env: "RPC_MAX_RESPONSE_BYTES" },
  backoffBaseMs: { key: "backoffBaseMs", env: "BACKOFF_BASE_MS" },
  backoffMaxMs: { key: "backoffMaxMs", env: "BACKOFF_MAX_MS" },
  bloomCheckDepth: { key: "bloomCheckDepth", env: "BLOOM_CHECK_DEPTH" },
  readyMaxLagBlocks: { key: "readyMaxLagBlocks", env: "READY_MAX_LAG_BLOCKS" },
  readyTimeoutMs: { key: "readyTimeoutMs", env: "READY_TIMEOUT_MS" },
  databaseUrl: { key: "databaseUrl", env: "DATABASE_URL" },
  databaseSchema: { key: "databaseSchema", env: "DATABASE_SCHEMA" },
  databaseConnectTimeoutMs: {
    key: "databaseConnectTimeoutMs",
    env: "DATABASE_CONNECT_TIMEOUT_MS",
  },
  embeddedPostgresDir: { key: "embeddedPostgresDir", env: "EMBEDDED_POSTGRES_DIR" },
  embeddedPostgresPort: { key: "embeddedPostgresPort", env: "EMBEDDED_POSTGRES_PORT" },
  httpPort: { key: "httpPort", env: "INDEXER_HTTP_PORT" },
  httpHost: { key: "httpHost", env: "INDEXER_HTTP_HOST" },
  logLevel: { key: "logLevel", env: "LOG_LEVEL" },
  contentResolver: { key: "contentResolver", env: "CONTENT_RESOLVER" },
  contentConcurrency: { key: "contentConcurrency", env: "CONTENT_CONCURRENCY" },
  contentTimeoutMs: { key: "contentTimeoutMs", env: "CONTENT_TIMEOUT_MS" },
  contentMaxBytes: { key: "contentMaxBytes", env: "CONTENT_MAX_BYTES" },
  contentMaxAttempts: { key: "contentMaxAttempts", env: "CONTENT_MAX_ATTEMPTS" },
  contentPollIntervalMs: { key: "contentPollIntervalMs", env: "CONTENT_POLL_INTERVAL_MS" },
  ipfsGateways: { key: "ipfsGateways", env: "IPFS_GATEWAYS" },
  contentAllowPrivateAddresses: {
    key: "contentAllowPrivateAddresses",
    env: "CONTENT_ALLOW_PRIVATE_ADDRESSES",
  },
  contentAllowHttp: { key: "contentAllowHttp", env: "CONTENT_ALLOW_HTTP" },
  contentRefreshMinIntervalMs: {
    key: "contentRefreshMinIntervalMs",
    env: "CONTENT_REFRESH_MIN_INTERVAL_MS",
  },
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

  const bool = (key: keyof RawConfig, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === "true" || value === "1") return true;
    if (value === false || value === "false" || value === "0") return false;
    throw new ConfigError(
      optionName(key),
      `must be true or false (or 1 or 0), got ${JSON.stringify(value)}`,
    );
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
  if (databaseUrl !== "") checkDatabaseUrl(databaseUrl);
  const databaseSchema = str("databaseSchema", "");
  if (databaseSchema !== "" && !SCHEMA_NAME.test(databaseSchema)) {
    throw new ConfigError(
      optionName("databaseSchema"),
      "must be a lowercase schema name: a letter or _, then letters, digits or _ (63 at most)",
    );
  }

  const backoffBaseMs = int("backoffBaseMs", 100, 1);
  const backoffMaxMs = int("backoffMaxMs", 30_000, 1);
  if (backoffMaxMs < backoffBaseMs) {
    throw new ConfigError(
      optionName("backoffMaxMs"),
      `must be >= BACKOFF_BASE_MS (${backoffBaseMs})`,
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
    rpcMaxResponseBytes: int("rpcMaxResponseBytes", 64 * 1024 * 1024, 1024),
    backoffBaseMs,
    backoffMaxMs,
    bloomCheckDepth: int("bloomCheckDepth", 1_000, 0),
    readyMaxLagBlocks: int("readyMaxLagBlocks", 10, 0),
    readyTimeoutMs: int("readyTimeoutMs", 2_000, 1),
    databaseUrl,
    databaseSchema,
    databaseConnectTimeoutMs: int("databaseConnectTimeoutMs", 10_000, 1),
    embeddedPostgresDir: path.resolve(
      cwd,
      str("embeddedPostgresDir", path.join(".data", "postgres")),
    ),
    embeddedPostgresPort: int("embeddedPostgresPort", 54329, 1),
    httpPort: int("httpPort", 42069, 0),
    httpHost: listenHost(str("httpHost", "127.0.0.1"), optionName("httpHost")),
    logLevel,
    content: {
      enabled: bool("contentResolver", true),
      concurrency: int("contentConcurrency", 8, 1),
      timeoutMs: int("contentTimeoutMs", 10_000, 100),
      maxBytes: int("contentMaxBytes", 256 * 1024, 1024),
      maxAttempts: int("contentMaxAttempts", 5, 1),
      pollIntervalMs: int("contentPollIntervalMs", 1_000, 10),
      ipfsGateways: gateways(),
      allowPrivateAddresses: bool("contentAllowPrivateAddresses", false),
      allowHttp: bool("contentAllowHttp", false),
      refreshMinIntervalMs: int("contentRefreshMinIntervalMs", 60_000, 0),
    },
  };

  function gateways(): string[] {
    const value = raw("ipfsGateways");
    const list =
      value === undefined
        ? ["https://ipfs.io", "https://dweb.link"]
        : Array.isArray(value)
          ? value
          : typeof value === "string"
            ? value.split(",").map((item) => item.trim())
            : null;
    if (list === null || list.some((item) => typeof item !== "string")) {
      throw new ConfigError(optionName("ipfsGateways"), "must be a comma-separated list of URLs");
    }
    const urls = (list as string[]).filter((item) => item !== "");
    for (const url of urls) {
      if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) {
        throw new ConfigError(
          optionName("ipfsGateways"),
          `${JSON.stringify(url)} is not a gateway base URL such as https://ipfs.io`,
        );
      }
    }
    return urls;
  }

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

/**
 * An address to listen on: an IPv4 or IPv6 literal (0.0.0.0 or :: for every interface) or a
 * host name, never a URL or an address with a port.
 */
export function listenHost(value: string, option: string): string {
  if (isIP(value) !== 0 || /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(value))
    return value;
  throw new ConfigError(
    option,
    `must be an IP address or a host name to listen on (127.0.0.1, 0.0.0.0, ::), got ${JSON.stringify(value)}`,
  );
}

/**
 * Refuses a DATABASE_URL that node-postgres would read as something else: with no host it
 * silently connects to localhost. The message never repeats the user and password.
 */
function checkDatabaseUrl(value: string): void {
  const name = optionName("databaseUrl");
  const shown = value.replace(/\/\/.*@/, "//***@");
  const form =
    "write it as postgres://user:password@host:5432/database (percent-encode reserved characters in the user and password), or leave it empty for the embedded Postgres";
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new ConfigError(name, `must be a postgres:// URL, got "${shown}"; ${form}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `"${shown}" is not a valid URL; ${form}`);
  }
  // A Unix socket is named by the host query parameter: postgres:///db?host=/var/run/postgresql
  if (url.hostname === "" && !url.searchParams.get("host")) {
    throw new ConfigError(name, `"${shown}" names no host; ${form}`);
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
