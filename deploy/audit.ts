import { Contract, getAddress, id, Interface, ZeroAddress, type Provider } from "ethers";
import {
  AgoraGovernor__factory,
  AgoraTimelock__factory,
  CreatorCoinFactory__factory,
  GovernanceToken__factory,
  RevenueSplit__factory,
  TipJar__factory,
  TokenVesting__factory,
} from "../typechain-types";
import type { DeploymentFile } from "./deployment";
import { formatTokens, type Parameters, type Recipient } from "./parameters";
import { ROLES } from "./plan";

/**
 * The post-deploy audit: reads the chain and lists every way the deployment differs from a
 * socially owned launch of `parameters`. Each check is also what `npm run deploy:check` prints.
 */
export interface AuditReport {
  /** What was checked and held. */
  passed: string[];
  /** What failed; the deployment must not be used while this is not empty. */
  violations: string[];
}

const ROLE_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(ROLES).map(([name, hash]) => [hash, name]),
);

const ACCESS = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function owner() view returns (address)",
]);
const ROLE_GRANTED = id("RoleGranted(bytes32,address,address)");
const OWNERSHIP_TRANSFERRED = id("OwnershipTransferred(address,address)");
const TRANSFER = id("Transfer(address,address,uint256)");
const DELEGATE_VOTES_CHANGED = id("DelegateVotesChanged(address,uint256,uint256)");

/** eth_getLogs over a range, halving the span when a provider refuses it as too large. */
async function logsBetween(
  provider: Provider,
  address: string[],
  topics: string[],
  from: number,
  to: number,
) {
  const found = [];
  let span = 5_000;
  for (let start = from; start <= to;) {
    const end = Math.min(to, start + span - 1);
    try {
      found.push(
        ...(await provider.getLogs({ address, topics: [topics], fromBlock: start, toBlock: end })),
      );
      start = end + 1;
    } catch (error) {
      if (span === 1) throw error;
      span = Math.max(1, Math.floor(span / 2));
    }
  }
  return found;
}

const topicAddress = (topic: string) => getAddress("0x" + topic.slice(26));

export async function auditDeployment(
  provider: Provider,
  deployment: DeploymentFile,
  parameters: Parameters,
): Promise<AuditReport> {
  const passed: string[] = [];
  const violations: string[] = [];
  const check = (ok: boolean, what: string, otherwise: string) =>
    ok ? passed.push(what) : violations.push(otherwise);

  const at = (name: string) => {
    const entry = deployment.contracts[name];
    if (!entry) throw new Error(`the deployment file has no ${name}`);
    return getAddress(entry.address);
  };
  const timelockAddress = at("AgoraTimelock");
  const governorAddress = at("AgoraGovernor");
  const tokenAddress = at("GovernanceToken");
  const timelock = AgoraTimelock__factory.connect(timelockAddress, provider);
  const governor = AgoraGovernor__factory.connect(governorAddress, provider);
  const token = GovernanceToken__factory.connect(tokenAddress, provider);
  const factory = CreatorCoinFactory__factory.connect(at("CreatorCoinFactory"), provider);
  const tipJar = TipJar__factory.connect(at("TipJar"), provider);
  const split = RevenueSplit__factory.connect(at("RevenueSplit"), provider);
  const deployer = deployment.deployer ? getAddress(deployment.deployer) : null;

  const chainId = Number((await provider.getNetwork()).chainId);
  check(
    chainId === deployment.chainId && chainId === parameters.chainId,
    `chain ${chainId} is the chain of the deployment file and of the parameters`,
    `the node is chain ${chainId}, the deployment file says ${deployment.chainId} and the parameters ${parameters.chainId}`,
  );

  const codeCache = new Map<string, boolean>();
  const isContract = async (address: string) => {
    if (!codeCache.has(address)) codeCache.set(address, (await provider.getCode(address)) !== "0x");
    return codeCache.get(address)!;
  };
  const vestingAddresses = new Map(
    Object.entries(deployment.vesting ?? {}).map(([name, v]) => [getAddress(v.address), name]),
  );
  const all = [
    ...Object.values(deployment.contracts).map((c) => getAddress(c.address)),
    ...vestingAddresses.keys(),
  ];
  const firstBlock = Math.min(...Object.values(deployment.contracts).map((c) => c.blockNumber));
  const launchBlock = Math.max(...Object.values(deployment.contracts).map((c) => c.blockNumber));
  const head = await provider.getBlockNumber();

  // Roles and ownership, anywhere in the suite, as granted and transferred since the first block.
  const accessLogs = await logsBetween(
    provider,
    all,
    [ROLE_GRANTED, OWNERSHIP_TRANSFERRED],
    firstBlock,
    head,
  );
  const roleHolders = new Map<string, Map<string, Set<string>>>();
  const owned = new Set<string>();
  for (const log of accessLogs) {
    const contract = getAddress(log.address);
    if (log.topics[0] === OWNERSHIP_TRANSFERRED) {
      owned.add(contract);
      continue;
    }
    const [role, account] = [log.topics[1], topicAddress(log.topics[2])];
    const access = new Contract(contract, ACCESS, provider);
    if (!(await access.hasRole(role, account))) continue;
    const byRole = roleHolders.get(contract) ?? new Map<string, Set<string>>();
    byRole.set(role, (byRole.get(role) ?? new Set()).add(account));
    roleHolders.set(contract, byRole);
  }
  const holdersOf = (role: string) => [...(roleHolders.get(timelockAddress)?.get(role) ?? [])];
  const exactly = (role: string, expected: string, label: string) => {
    const holders = holdersOf(role);
    check(
      holders.length === 1 && holders[0] === expected,
      `the timelock's ${ROLE_NAMES[role]} is held by ${label} alone`,
      `the timelock's ${ROLE_NAMES[role]} is held by [${holders.join(", ")}], not by ${label} (${expected}) alone`,
    );
  };
  check(
    await timelock.hasRole(ROLES.DEFAULT_ADMIN_ROLE, timelockAddress),
    "the timelock is its own admin",
    `the timelock is not its own admin: it cannot change its own roles`,
  );
  exactly(ROLES.DEFAULT_ADMIN_ROLE, timelockAddress, "the timelock");
  exactly(ROLES.PROPOSER_ROLE, governorAddress, "the governor");
  exactly(ROLES.CANCELLER_ROLE, governorAddress, "the governor");
  exactly(ROLES.EXECUTOR_ROLE, ZeroAddress, "everyone (the zero address)");
  for (const [contract, byRole] of roleHolders) {
    for (const [role, holders] of byRole) {
      for (const holder of holders) {
        if (holder !== ZeroAddress && !(await isContract(holder))) {
          violations.push(
            `the externally owned account ${holder} holds ${ROLE_NAMES[role] ?? role} on ${contract}`,
          );
        }
      }
    }
  }
  for (const contract of owned) {
    const owner = getAddress(await new Contract(contract, ACCESS, provider).owner());
    const vesting = vestingAddresses.get(contract);
    if (vesting !== undefined) {
      // A vesting wallet belongs to its beneficiary by design; it holds no power over the suite.
      passed.push(`vesting wallet "${vesting}" is owned by its beneficiary ${owner}`);
    } else if (owner !== ZeroAddress && owner !== timelockAddress) {
      violations.push(`${contract} is owned by ${owner}, not by the timelock`);
    }
  }

  // Governance of every governed contract.
  for (const [name, contract] of [
    ["CreatorCoinFactory", factory],
    ["TipJar", tipJar],
    ["RevenueSplit", split],
  ] as const) {
    const governance = getAddress(await contract.governance());
    check(
      governance === timelockAddress,
      `${name} is governed by the timelock`,
      `${name} is governed by ${governance}, not by the timelock ${timelockAddress}`,
    );
  }
  check(
    getAddress(await governor.timelock()) === timelockAddress &&
      getAddress(await governor.token()) === tokenAddress,
    "the governor counts the token's votes and executes through the timelock",
    "the governor is not wired to this deployment's token and timelock",
  );

  // The launch as the parameters describe it, read at the block the last contract was deployed in.
  const launch = { blockTag: launchBlock };
  const resolve = (recipient: Recipient) =>
    recipient === "timelock" ? timelockAddress : getAddress(recipient);
  const same = (label: string, actual: unknown, expected: unknown) =>
    check(
      String(actual) === String(expected),
      `${label} is ${String(expected)}`,
      `${label} is ${String(actual)} on chain but ${String(expected)} in the parameters`,
    );
  same("the token's name", await token.name(launch), parameters.token.name);
  same("the token's symbol", await token.symbol(launch), parameters.token.symbol);
  same("the token's supply at launch", await token.totalSupply(launch), parameters.token.supply);
  same("the voting delay", await governor.votingDelay(launch), parameters.governor.votingDelay);
  same("the voting period", await governor.votingPeriod(launch), parameters.governor.votingPeriod);
  same(
    "the proposal threshold",
    await governor.proposalThreshold(launch),
    parameters.governor.proposalThreshold,
  );
  same(
    "the quorum percent",
    await governor["quorumNumerator()"](launch),
    parameters.governor.quorumPercent,
  );
  same("the timelock delay", await timelock.getMinDelay(launch), parameters.governor.timelockDelay);
  same("the protocol fee", await factory.protocolFeeBps(launch), parameters.fees.protocolFeeBps);
  same("the tip fee", await tipJar.feeBps(launch), parameters.fees.tipFeeBps);
  same(
    "the coin referrer share",
    await factory.referrerShareBps(launch),
    parameters.fees.coinReferrerShareBps,
  );
  same(
    "the tip referrer share",
    await tipJar.referrerShareBps(launch),
    parameters.fees.tipReferrerShareBps,
  );
  same(
    "the creator share",
    await split.creatorShareBps(launch),
    parameters.revenue.creatorShareBps,
  );
  const buckets = (await split.buckets(launch)).map((b) => `${getAddress(b.recipient)}:${b.bps}`);
  same(
    "the revenue allocation",
    buckets.join(", "),
    parameters.revenue.buckets.map((b) => `${resolve(b.recipient)}:${b.bps}`).join(", "),
  );

  // The genesis distribution, at the token's own deployment block.
  const genesis = { blockTag: deployment.contracts.GovernanceToken.blockNumber };
  const expected = new Map<string, { amount: bigint; selfDelegate: boolean }>();
  for (const allocation of parameters.distribution) {
    let holder = resolve(allocation.recipient);
    if (allocation.vesting) {
      const wallet = deployment.vesting?.[allocation.name];
      if (!wallet) {
        violations.push(`the deployment file has no vesting wallet for "${allocation.name}"`);
        continue;
      }
      holder = getAddress(wallet.address);
      const vesting = TokenVesting__factory.connect(holder, provider);
      const terms = [await vesting.owner(), await vesting.start(), await vesting.duration()];
      check(
        getAddress(terms[0] as string) === resolve(allocation.recipient) &&
          Number(terms[1]) === allocation.vesting.start &&
          Number(terms[2]) === allocation.vesting.duration,
        `vesting wallet "${allocation.name}" vests to ${allocation.recipient} from ${allocation.vesting.start} over ${allocation.vesting.duration} s`,
        `vesting wallet "${allocation.name}" has other terms than the parameters (beneficiary ${String(terms[0])}, start ${String(terms[1])}, duration ${String(terms[2])})`,
      );
    }
    const entry = expected.get(holder) ?? { amount: 0n, selfDelegate: false };
    expected.set(holder, {
      amount: entry.amount + allocation.amount,
      selfDelegate: entry.selfDelegate || allocation.selfDelegate,
    });
  }
  for (const [holder, { amount, selfDelegate }] of expected) {
    const balance = await token.balanceOf(holder, genesis);
    check(
      balance === amount,
      `${holder} received ${formatTokens(amount)} tokens at genesis`,
      `${holder} received ${formatTokens(balance)} tokens at genesis, the parameters say ${formatTokens(amount)}`,
    );
    const delegate = getAddress(await token.delegates(holder, genesis));
    check(
      (delegate === holder) === selfDelegate,
      `${holder} ${selfDelegate ? "was" : "was not"} self-delegated at genesis`,
      `${holder} was ${delegate === holder ? "" : "not "}self-delegated at genesis, the parameters say the opposite`,
    );
  }

  // Nobody reaches quorum (or, unless allowed, the proposal threshold) alone, now.
  const tokenLogs = await logsBetween(
    provider,
    [tokenAddress],
    [TRANSFER, DELEGATE_VOTES_CHANGED],
    deployment.contracts.GovernanceToken.blockNumber,
    head,
  );
  const accounts = new Set<string>();
  for (const log of tokenLogs) {
    if (log.topics[0] === TRANSFER) accounts.add(topicAddress(log.topics[2]));
    else accounts.add(topicAddress(log.topics[1]));
  }
  accounts.delete(ZeroAddress);
  accounts.delete(timelockAddress);
  const quorum =
    ((await token.totalSupply()) * (await governor["quorumNumerator()"]())) /
    (await governor.quorumDenominator());
  const threshold = await governor.proposalThreshold();
  const allowQuorum = parameters.allowConcentration.includes("quorum");
  const allowThreshold = parameters.allowConcentration.includes("proposalThreshold");
  let reachQuorum = 0;
  let reachThreshold = 0;
  for (const account of accounts) {
    // A holder's own balance (it may delegate it at any time) or the votes delegated to it.
    const balance = await token.balanceOf(account);
    const votes = await token.getVotes(account);
    const power = balance > votes ? balance : votes;
    const who = account === deployer ? `${account} (the deployer)` : account;
    if (power >= quorum) {
      reachQuorum++;
      if (!allowQuorum) {
        violations.push(
          `${who} holds ${formatTokens(power)} votes, reaching quorum (${formatTokens(quorum)}) alone`,
        );
      }
    }
    if (power >= threshold) {
      reachThreshold++;
      if (!allowThreshold) {
        violations.push(
          `${who} holds ${formatTokens(power)} votes, reaching the proposal threshold (${formatTokens(threshold)}) alone`,
        );
      }
    }
  }
  if (reachQuorum === 0) {
    passed.push(`none of ${accounts.size} holders reaches quorum (${formatTokens(quorum)}) alone`);
  } else if (allowQuorum) {
    passed.push(`${reachQuorum} holders reach quorum alone, as allowConcentration accepts`);
  }
  if (reachThreshold === 0) {
    passed.push(`none of ${accounts.size} holders reaches the proposal threshold alone`);
  } else if (allowThreshold) {
    passed.push(
      `${reachThreshold} holders reach the proposal threshold alone, as allowConcentration accepts`,
    );
  }
  if (deployer) {
    const isBucket = (await split.buckets()).some((b) => getAddress(b.recipient) === deployer);
    check(
      !isBucket || parameters.allowDeployerBucket,
      "the deployer is not a revenue bucket",
      `the deployer ${deployer} is a revenue bucket`,
    );
  }
  return { passed, violations };
}
