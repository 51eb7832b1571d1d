import fs from "node:fs";
import path from "node:path";
import { getAddress, isAddress, parseEther, ZeroAddress } from "ethers";

/**
 * What a deployment of the suite may choose, as `deploy/parameters/<network>.json` states it.
 * Amounts are whole tokens as decimal strings ("1000000", "2.5"); durations are seconds.
 */
export interface Parameters {
  /** The chain these parameters are for; a deployment to another chain is refused. */
  chainId: number;
  token: { name: string; symbol: string; supply: bigint };
  /** Every token minted at genesis. The amounts add up to `token.supply`. */
  distribution: Allocation[];
  /** Fees in basis points; the referrer shares are of the protocol fee (see docs/creator-coins.md). */
  fees: {
    protocolFeeBps: bigint;
    tipFeeBps: number;
    coinReferrerShareBps: bigint;
    tipReferrerShareBps: number;
  };
  governor: {
    votingDelay: number;
    votingPeriod: number;
    proposalThreshold: bigint;
    quorumPercent: number;
    timelockDelay: number;
  };
  revenue: { buckets: Bucket[]; creatorShareBps: number };
  /** Limits one holder may reach alone at launch because the file says so. */
  allowConcentration: ConcentrationLimit[];
  /** The deployer may be a revenue bucket only if the file says so. */
  allowDeployerBucket: boolean;
  /** Placeholder recipients: deployable to a local node only (AGORA_REHEARSAL=1 on a real chain id). */
  rehearsalOnly: boolean;
}

export type ConcentrationLimit = "quorum" | "proposalThreshold";

/** `"timelock"` is the DAO's treasury, whose address is known only once it is deployed. */
export type Recipient = string | "timelock";

export interface Allocation {
  /** A name for people (and for the vesting wallet in the deployment file). */
  name: string;
  recipient: Recipient;
  amount: bigint;
  /** Activate the recipient's votes at genesis (otherwise they read zero until it delegates). */
  selfDelegate: boolean;
  /** Held by a VestingWallet that releases to `recipient` linearly over `duration` from `start`. */
  vesting?: { start: number; duration: number };
}

export interface Bucket {
  name: string;
  recipient: Recipient;
  bps: number;
}

/** Every problem a parameters file has, one per line, each naming the field. */
export class ParametersError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid parameters file:\n  - ${problems.join("\n  - ")}`);
    this.name = "ParametersError";
  }
}

/** Contract limits the parameters are checked against before anything is deployed. */
export const LIMITS = {
  maxProtocolFeeBps: 500,
  maxTipFeeBps: 1_000,
  /** `MAX_REFERRER_SHARE_BPS` of CreatorCoinFactory and TipJar. */
  maxReferrerShareBps: 5_000,
  maxBuckets: 8,
  bps: 10_000,
  /** uint48 / uint32 of the governor's settings. */
  maxVotingDelay: 2 ** 48 - 1,
  maxVotingPeriod: 2 ** 32 - 1,
} as const;

const DECIMAL = /^\d{1,30}(\.\d{1,18})?$/;

/** Reads and validates a parameters file; throws ParametersError listing every problem. */
export function loadParameters(file: string): Parameters {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new ParametersError(file, [`cannot be read as JSON: ${(error as Error).message}`]);
  }
  return parseParameters(raw, file);
}

/** The parameters file of `network`: `DEPLOY_PARAMETERS` if set, else deploy/parameters/<network>.json. */
export function parametersPath(root: string, network: string, env = process.env): string {
  if (env.DEPLOY_PARAMETERS) return path.resolve(env.DEPLOY_PARAMETERS);
  // The in-process network and a local node share the dev parameters.
  const name = network === "hardhat" ? "localhost" : network;
  return path.join(root, "deploy", "parameters", `${name}.json`);
}

/** Validates parsed JSON; `file` names it in errors. */
export function parseParameters(raw: unknown, file = "parameters"): Parameters {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);

  const object = (value: unknown, where: string, keys: string[]): Record<string, unknown> => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(where, "must be an object");
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) fail(`${where}.${key}`, `is not a known field (${keys.join(", ")})`);
    }
    return value as Record<string, unknown>;
  };
  const text = (value: unknown, where: string, max = 64): string => {
    if (typeof value !== "string" || value.trim() === "" || value.length > max) {
      fail(where, `must be a non-empty string of at most ${max} characters`);
      return "";
    }
    // eslint-disable-next-line no-control-regex -- control characters are what this rejects
    if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(value)) {
      fail(where, "must not contain control or bidirectional characters");
    }
    return value;
  };
  const integer = (value: unknown, where: string, min: number, max: number): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      fail(where, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return min;
    }
    return value;
  };
  const tokens = (value: unknown, where: string): bigint => {
    if (typeof value !== "string" || !DECIMAL.test(value)) {
      fail(
        where,
        `must be a number of tokens as a decimal string such as "1000000" or "2.5", got ${JSON.stringify(value)}`,
      );
      return 0n;
    }
    return parseEther(value);
  };
  const recipient = (value: unknown, where: string): Recipient => {
    if (value === "timelock") return value;
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value) || !isAddress(value)) {
      fail(
        where,
        `must be "timelock" or a 0x address with a valid checksum, got ${JSON.stringify(value)}`,
      );
      return ZeroAddress;
    }
    if (getAddress(value) === ZeroAddress) fail(where, "must not be the zero address");
    return getAddress(value);
  };
  const list = (value: unknown, where: string): unknown[] => {
    if (!Array.isArray(value)) {
      fail(where, "must be an array");
      return [];
    }
    return value;
  };

  const top = object(raw, "file", [
    "$comment",
    "chainId",
    "token",
    "distribution",
    "fees",
    "governor",
    "revenue",
    "allowConcentration",
    "allowDeployerBucket",
    "rehearsalOnly",
  ]);
  const chainId = integer(top.chainId, "chainId", 1, Number.MAX_SAFE_INTEGER);

  const tokenRaw = object(top.token, "token", ["name", "symbol", "supply"]);
  const token = {
    name: text(tokenRaw.name, "token.name"),
    symbol: text(tokenRaw.symbol, "token.symbol", 11),
    supply: tokens(tokenRaw.supply, "token.supply"),
  };
  if (tokenRaw.supply !== undefined && token.supply === 0n && problems.length === 0) {
    fail("token.supply", "must be more than zero");
  }

  const names = new Set<string>();
  const distribution = list(top.distribution, "distribution").map((entry, i): Allocation => {
    const where = `distribution[${i}]`;
    const item = object(entry, where, ["name", "recipient", "amount", "selfDelegate", "vesting"]);
    const name = text(item.name, `${where}.name`);
    if (names.has(name)) fail(`${where}.name`, `"${name}" is used twice`);
    names.add(name);
    const amount = tokens(item.amount, `${where}.amount`);
    if (amount === 0n && typeof item.amount === "string")
      fail(`${where}.amount`, "must be more than zero");
    if (item.selfDelegate !== undefined && typeof item.selfDelegate !== "boolean") {
      fail(`${where}.selfDelegate`, "must be true or false");
    }
    const allocation: Allocation = {
      name,
      recipient: recipient(item.recipient, `${where}.recipient`),
      amount,
      selfDelegate: item.selfDelegate === true,
    };
    if (item.vesting !== undefined) {
      const vesting = object(item.vesting, `${where}.vesting`, ["start", "duration"]);
      allocation.vesting = {
        start: integer(vesting.start, `${where}.vesting.start`, 0, 2 ** 40),
        duration: integer(vesting.duration, `${where}.vesting.duration`, 1, 2 ** 40),
      };
      if (allocation.recipient === "timelock") {
        fail(`${where}.vesting`, "the treasury is the timelock's already; it does not vest");
      }
      if (allocation.selfDelegate) {
        fail(`${where}.selfDelegate`, "a vesting wallet cannot delegate; leave it out");
      }
    }
    return allocation;
  });
  if (distribution.length === 0 && Array.isArray(top.distribution)) {
    fail("distribution", "must name at least one recipient");
  }
  const distributed = distribution.reduce((sum, a) => sum + a.amount, 0n);
  if (token.supply > 0n && distributed !== token.supply) {
    fail(
      "distribution",
      `amounts add up to ${formatTokens(distributed)} tokens but token.supply is ${formatTokens(token.supply)}`,
    );
  }

  const feesRaw = object(top.fees, "fees", [
    "protocolFeeBps",
    "tipFeeBps",
    "coinReferrerShareBps",
    "tipReferrerShareBps",
  ]);
  const fees = {
    protocolFeeBps: BigInt(
      integer(feesRaw.protocolFeeBps, "fees.protocolFeeBps", 0, LIMITS.maxProtocolFeeBps),
    ),
    tipFeeBps: integer(feesRaw.tipFeeBps, "fees.tipFeeBps", 0, LIMITS.maxTipFeeBps),
    coinReferrerShareBps: BigInt(
      integer(
        feesRaw.coinReferrerShareBps,
        "fees.coinReferrerShareBps",
        0,
        LIMITS.maxReferrerShareBps,
      ),
    ),
    tipReferrerShareBps: integer(
      feesRaw.tipReferrerShareBps,
      "fees.tipReferrerShareBps",
      0,
      LIMITS.maxReferrerShareBps,
    ),
  };

  const govRaw = object(top.governor, "governor", [
    "votingDelay",
    "votingPeriod",
    "proposalThreshold",
    "quorumPercent",
    "timelockDelay",
  ]);
  const governor = {
    votingDelay: integer(govRaw.votingDelay, "governor.votingDelay", 0, LIMITS.maxVotingDelay),
    votingPeriod: integer(govRaw.votingPeriod, "governor.votingPeriod", 1, LIMITS.maxVotingPeriod),
    proposalThreshold: tokens(govRaw.proposalThreshold, "governor.proposalThreshold"),
    quorumPercent: integer(govRaw.quorumPercent, "governor.quorumPercent", 1, 100),
    timelockDelay: integer(govRaw.timelockDelay, "governor.timelockDelay", 0, 365 * 24 * 3600),
  };
  if (token.supply > 0n && governor.proposalThreshold > token.supply) {
    fail("governor.proposalThreshold", "is more than the whole supply: nobody could propose");
  }

  const revRaw = object(top.revenue, "revenue", ["buckets", "creatorShareBps"]);
  const creatorShareBps = integer(revRaw.creatorShareBps, "revenue.creatorShareBps", 0, LIMITS.bps);
  const buckets = list(revRaw.buckets, "revenue.buckets").map((entry, i): Bucket => {
    const where = `revenue.buckets[${i}]`;
    const item = object(entry, where, ["name", "recipient", "bps"]);
    return {
      name: text(item.name, `${where}.name`),
      recipient: recipient(item.recipient, `${where}.recipient`),
      bps: integer(item.bps, `${where}.bps`, 1, LIMITS.bps),
    };
  });
  if (
    Array.isArray(revRaw.buckets) &&
    (buckets.length === 0 || buckets.length > LIMITS.maxBuckets)
  ) {
    fail("revenue.buckets", `must hold 1 to ${LIMITS.maxBuckets} buckets, got ${buckets.length}`);
  }
  const bpsTotal = buckets.reduce((sum, b) => sum + b.bps, creatorShareBps);
  if (buckets.length > 0 && bpsTotal !== LIMITS.bps) {
    fail("revenue", `bucket bps plus creatorShareBps add up to ${bpsTotal}, not ${LIMITS.bps}`);
  }

  const allowed =
    top.allowConcentration === undefined ? [] : list(top.allowConcentration, "allowConcentration");
  const allowConcentration: ConcentrationLimit[] = [];
  allowed.forEach((value, i) => {
    if (value === "quorum" || value === "proposalThreshold") allowConcentration.push(value);
    else
      fail(
        `allowConcentration[${i}]`,
        `must be "quorum" or "proposalThreshold", got ${JSON.stringify(value)}`,
      );
  });
  for (const flag of ["allowDeployerBucket", "rehearsalOnly"]) {
    if (top[flag] !== undefined && typeof top[flag] !== "boolean")
      fail(flag, "must be true or false");
  }

  if (problems.length > 0) throw new ParametersError(file, problems);
  return {
    chainId,
    token,
    distribution,
    fees,
    governor,
    revenue: { buckets, creatorShareBps },
    allowConcentration,
    allowDeployerBucket: top.allowDeployerBucket === true,
    rehearsalOnly: top.rehearsalOnly === true,
  };
}

/** Votes each address could hold on its own at launch: its allocations, vesting ones included. */
export function votesAtLaunch(parameters: Parameters): Map<string, bigint> {
  const votes = new Map<string, bigint>();
  for (const { recipient, amount } of parameters.distribution) {
    // The treasury's tokens move only by a proposal that passed.
    if (recipient === "timelock") continue;
    votes.set(recipient, (votes.get(recipient) ?? 0n) + amount);
  }
  return votes;
}

/** The votes a proposal needs For or Abstain, as the governor computes it at launch. */
export function quorumOf(parameters: Parameters): bigint {
  return (parameters.token.supply * BigInt(parameters.governor.quorumPercent)) / 100n;
}

/**
 * Refuses parameters under which one address could alone reach quorum or the proposal threshold
 * (unless `allowConcentration` names that limit), or under which the deployer is a revenue bucket
 * (unless `allowDeployerBucket`). Returns the parameters for chaining.
 */
export function checkConcentration(
  parameters: Parameters,
  deployer: string,
  file = "parameters",
): Parameters {
  const problems: string[] = [];
  const quorum = quorumOf(parameters);
  const deployerAddress = getAddress(deployer);
  for (const [holder, votes] of votesAtLaunch(parameters)) {
    const who = holder === deployerAddress ? `${holder} (the deployer)` : holder;
    if (votes >= quorum && !parameters.allowConcentration.includes("quorum")) {
      problems.push(
        `distribution: ${who} would hold ${formatTokens(votes)} tokens, reaching quorum (${formatTokens(quorum)}) alone; spread the allocation, or add "quorum" to allowConcentration to accept it`,
      );
    }
    if (
      votes >= parameters.governor.proposalThreshold &&
      !parameters.allowConcentration.includes("proposalThreshold")
    ) {
      problems.push(
        `distribution: ${who} would hold ${formatTokens(votes)} tokens, reaching the proposal threshold (${formatTokens(parameters.governor.proposalThreshold)}) alone; add "proposalThreshold" to allowConcentration to accept it`,
      );
    }
  }
  parameters.revenue.buckets.forEach((bucket, i) => {
    if (bucket.recipient === deployerAddress && !parameters.allowDeployerBucket) {
      problems.push(
        `revenue.buckets[${i}]: the deployer ${deployerAddress} is a revenue bucket; name another recipient, or set allowDeployerBucket to accept it`,
      );
    }
  });
  if (problems.length > 0) throw new ParametersError(file, problems);
  return parameters;
}

/** 1234.5 tokens as "1,234.5". */
export function formatTokens(amount: bigint): string {
  const whole = (amount / 10n ** 18n).toLocaleString("en-US");
  const fraction = (amount % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}
