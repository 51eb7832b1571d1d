/**
 * A deterministic, high-volume workload for the whole suite, used to benchmark the indexer and to
 * fill a local chain with realistic history fast.
 *
 * Everything is real: transactions are signed locally by funded wallets and executed by the node.
 * Speed comes from batching: automine is off, each block's transactions are signed with explicit
 * nonces and sent as one JSON-RPC batch of `eth_sendRawTransaction`, then `evm_mine` mines them
 * together and one batch of `eth_getTransactionReceipt` reads the result. Events are counted from
 * those receipts.
 *
 * Determinism: the wallets derive from the seed, every choice comes from a seeded PRNG, every
 * block's timestamp is the previous one plus 12 s, and an action is only chosen when the
 * generator's own bookkeeping (of mined, successful transactions) says the contract accepts it.
 * The same seed on the same fresh chain therefore produces the same transactions and events.
 *
 * Requirements: a Hardhat node (it uses `hardhat_setBalance`, `evm_setAutomine`, `evm_mine`,
 * `evm_setNextBlockTimestamp`, `evm_setBlockGasLimit`), the suite deployed by `deployer`, and the
 * deployer still holding most of the governance token supply (as `deploySuite` leaves it).
 * The wallets must not own profiles yet: run it once per seed on a chain. Block timestamps move
 * 12 s per block (plus the governance delays: 8 days in all), ahead of the wall clock. Automine
 * and the block gas limit are restored at the end. `hardhat node` logs every transaction: turn
 * that off first (`hardhat_setLoggingEnabled`) for speed.
 */
import http from "node:http";
import { Transaction, Wallet, id, keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { Suite } from "../deploy/suite";

/** Hardhat's account #0, which deploys the suite in `npm start`, the tests and the benchmark. */
export const HARDHAT_ACCOUNT_0_KEY =
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface WorkloadParams {
  /** JSON-RPC over HTTP of a Hardhat node. */
  url: string;
  /** The deployed suite (addresses and interfaces are taken from it). */
  suite: Suite;
  /** Generate at least this many events (the closing phase adds a few hundred more). */
  targetEvents: number;
  /** Private key of the suite's deployer, which holds the governance tokens. Default: account #0. */
  deployerKey?: string;
  /** Funded wallets that act (default 120); a third of them launch a creator coin. */
  wallets?: number;
  /** Transactions each wallet sends per block (default 2). */
  actionsPerWallet?: number;
  /** PRNG and wallet seed (default 1). */
  seed?: number;
  log?: (message: string) => void;
}

export interface WorkloadResult {
  /** Events emitted by the suite's contracts (every log of every receipt). */
  events: number;
  /** Blocks mined by the workload. */
  blocks: number;
  /** First and last block the workload mined. */
  fromBlock: number;
  toBlock: number;
  transactions: number;
  /** Transactions that reverted; the workload only sends valid actions, so this should be 0. */
  reverted: number;
  /** Events per contract name (every creator coin counts as "CreatorCoin"). */
  byContract: Record<string, number>;
  /** Events per event name, over all contracts. */
  byEvent: Record<string, number>;
  seconds: number;
}

/** One transaction to sign, with what to record once it is mined successfully. */
interface Action {
  from: number;
  to: string;
  data: string;
  value?: bigint;
  gas?: bigint;
  onSuccess?: () => void;
}

interface Signed {
  actions: Action[];
  raw: string[];
  hashes: string[];
}

interface RpcReceipt {
  transactionHash: string;
  status: string;
  blockNumber: string;
  logs: { address: string; topics: string[] }[];
}

const DEADLINE = 2n ** 40n;
const COIN = 10n ** 18n;
const ZERO = "0x0000000000000000000000000000000000000000";
const DEFAULT_GAS = 1_000_000n;

/**
 * A small JSON-RPC client: single calls and batches, each on a connection of its own. On a loaded
 * machine the next request can come later than the node's keep-alive timeout, and a request
 * written to a connection the node is closing fails ("other side closed") though it may have
 * been received: a transaction batch cannot simply be sent again.
 */
function rpcClient(url: string) {
  let nextId = 1;
  const post = (body: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const data = JSON.stringify(body);
      const request = http.request(
        url,
        {
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(data),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            if (response.statusCode !== 200) {
              reject(new Error(`JSON-RPC ${url} answered HTTP ${response.statusCode}`));
              return;
            }
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", reject);
      request.end(data);
    });
  return {
    async call<T>(method: string, params: unknown[] = []): Promise<T> {
      const reply = (await post({ jsonrpc: "2.0", id: nextId++, method, params })) as {
        result?: T;
        error?: { message: string };
      };
      if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
      return reply.result as T;
    },
    /** Sends the calls as one batch; throws on the first error, naming the call. */
    async batch<T>(calls: { method: string; params: unknown[] }[]): Promise<T[]> {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const replies = (await post(
        calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, ...c })),
      )) as { id: number; result?: T; error?: { message: string } }[];
      const out: T[] = new Array(calls.length);
      for (const reply of replies) {
        const index = reply.id - first;
        if (reply.error) {
          throw new Error(`${calls[index].method} (#${index} of a batch): ${reply.error.message}`);
        }
        out[index] = reply.result as T;
      }
      return out;
    },
  };
}

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

/**
 * Generates at least `targetEvents` events across every contract of the suite (see the module
 * documentation). Returns what was mined, counted from the receipts.
 */
export async function generateWorkload(params: WorkloadParams): Promise<WorkloadResult> {
  const started = Date.now();
  const log = params.log ?? (() => undefined);
  const rpc = rpcClient(params.url);
  const random = prng(params.seed ?? 1);
  const seed = params.seed ?? 1;
  const count = params.wallets ?? 120;
  const perWallet = params.actionsPerWallet ?? 2;
  const { suite } = params;
  if (count < 6) throw new Error(`the workload needs at least 6 wallets, got ${count}`);

  const registry = suite.profileRegistry.contract.interface;
  const factory = suite.creatorCoinFactory.contract.interface;
  const coinAbi = suite.creatorCoinImplementation.contract.interface;
  const tipJar = suite.tipJar.contract.interface;
  const split = suite.revenueSplit.contract.interface;
  const token = suite.governanceToken.contract.interface;
  const governor = suite.governor.contract.interface;
  const timelock = suite.timelock.contract.interface;
  const at = {
    registry: suite.profileRegistry.address,
    factory: suite.creatorCoinFactory.address,
    tipJar: suite.tipJar.address,
    split: suite.revenueSplit.address,
    token: suite.governanceToken.address,
    governor: suite.governor.address,
    timelock: suite.timelock.address,
  };

  // Wallet 0 is the deployer; 1..count act. Keys derive from the seed.
  const deployer = new Wallet(params.deployerKey ?? HARDHAT_ACCOUNT_0_KEY);
  const wallets = [deployer];
  for (let i = 1; i <= count; i++) {
    wallets.push(new Wallet(keccak256(toUtf8Bytes(`agora-workload-${seed}-${i}`))));
  }
  const addresses = wallets.map((w) => w.address);
  const actors = Array.from({ length: count }, (_, i) => i + 1);
  const chainId = BigInt(await rpc.call<string>("eth_chainId"));
  const nonces = await rpc.batch<string>(
    addresses.map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] })),
  );
  const nonce = nonces.map(Number);
  await rpc.batch(
    actors.map((i) => ({
      method: "hardhat_setBalance",
      params: [addresses[i], "0x" + parseEther("1000000").toString(16)],
    })),
  );
  await rpc.call("evm_setAutomine", [false]);
  // Room for every transaction of a block, with blocks far below the gas target: the base fee
  // then only falls, and every transaction pays the same tiny fee.
  const gasLimitBefore = (
    await rpc.call<{ gasLimit: string }>("eth_getBlockByNumber", ["latest", false])
  ).gasLimit;
  await rpc.call("evm_setBlockGasLimit", ["0x" + (2_000_000_000).toString(16)]);
  const maxFeePerGas = 100_000_000_000n;

  const result: WorkloadResult = {
    events: 0,
    blocks: 0,
    fromBlock: 0,
    toBlock: 0,
    transactions: 0,
    reverted: 0,
    byContract: {},
    byEvent: {},
    seconds: 0,
  };
  const names = new Map<string, string>([
    [at.registry.toLowerCase(), "ProfileRegistry"],
    [at.factory.toLowerCase(), "CreatorCoinFactory"],
    [at.tipJar.toLowerCase(), "TipJar"],
    [at.split.toLowerCase(), "RevenueSplit"],
    [at.token.toLowerCase(), "GovernanceToken"],
    [at.governor.toLowerCase(), "AgoraGovernor"],
    [at.timelock.toLowerCase(), "AgoraTimelock"],
  ]);
  const topics = new Map<string, string>();
  for (const abi of [registry, factory, coinAbi, tipJar, split, token, governor, timelock]) {
    abi.forEachEvent((event) => topics.set(event.topicHash, event.name));
  }
  const functions = new Map<string, string>();
  for (const abi of [registry, factory, coinAbi, tipJar, split, token, governor, timelock]) {
    abi.forEachFunction((f) => functions.set(f.selector, f.name));
  }
  const firstReverts: string[] = [];
  const latest = await rpc.call<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
  let timestamp = Number(latest.timestamp);

  /**
   * Signs the actions with the next nonces of their wallets. Signing is the generator's main
   * cost, so it yields to the event loop now and then: the previous block is mined meanwhile.
   */
  const sign = async (actions: Action[]): Promise<Signed> => {
    const raw: string[] = [];
    const hashes: string[] = [];
    for (const [k, action] of actions.entries()) {
      if (k % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
      const tx = Transaction.from({
        type: 2,
        chainId,
        nonce: nonce[action.from]++,
        to: action.to,
        data: action.data,
        value: action.value ?? 0n,
        gasLimit: action.gas ?? DEFAULT_GAS,
        maxFeePerGas,
        maxPriorityFeePerGas: 1n,
      });
      tx.signature = wallets[action.from].signingKey.sign(tx.unsignedHash);
      raw.push(tx.serialized);
      hashes.push(tx.hash!);
    }
    return { actions, raw, hashes };
  };

  /**
   * Sends signed transactions in one batch, mines them in one block and reads the receipts.
   * With `defer`, the bookkeeping of the successful actions is returned instead of applied, for
   * the caller to apply at a point that does not depend on timing.
   */
  const submit = async (
    { actions, raw, hashes }: Signed,
    advanceSeconds = 12,
    defer = false,
  ): Promise<() => void> => {
    await rpc.batch(raw.map((r) => ({ method: "eth_sendRawTransaction", params: [r] })));
    timestamp += advanceSeconds;
    await rpc.call("evm_setNextBlockTimestamp", [timestamp]);
    await rpc.call("evm_mine");
    const receipts = await rpc.batch<RpcReceipt | null>(
      hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
    );
    let blockNumber = 0;
    const effects: (() => void)[] = [];
    receipts.forEach((receipt, i) => {
      if (!receipt) throw new Error(`transaction ${hashes[i]} was not mined in its block`);
      blockNumber = Number(receipt.blockNumber);
      if (receipt.status !== "0x1") {
        result.reverted++;
        if (firstReverts.length < 5)
          firstReverts.push(
            `${functions.get(actions[i].data.slice(0, 10)) ?? "call"} from wallet ${actions[i].from} in ${hashes[i]}`,
          );
        return;
      }
      const effect = actions[i].onSuccess;
      if (effect) effects.push(effect);
      for (const entry of receipt.logs) {
        const contract = names.get(entry.address.toLowerCase()) ?? "CreatorCoin";
        const event = topics.get(entry.topics[0]) ?? entry.topics[0];
        result.byContract[contract] = (result.byContract[contract] ?? 0) + 1;
        result.byEvent[event] = (result.byEvent[event] ?? 0) + 1;
        result.events++;
      }
    });
    if (blockNumber === 0) blockNumber = Number(await rpc.call<string>("eth_blockNumber"));
    if (result.fromBlock === 0) result.fromBlock = blockNumber;
    result.toBlock = blockNumber;
    result.blocks++;
    result.transactions += actions.length;
    const apply = () => effects.forEach((effect) => effect());
    if (defer) return apply;
    apply();
    return () => undefined;
  };

  /** One block of `actions`, `advanceSeconds` after the previous one. */
  const mine = async (actions: Action[], advanceSeconds = 12) => {
    await submit(await sign(actions), advanceSeconds);
  };

  /** `eth_call` of many reads in one batch. */
  const read = async (calls: { to: string; data: string }[]) =>
    rpc.batch<string>(calls.map((c) => ({ method: "eth_call", params: [c, "latest"] })));

  // Phase 1: profiles.
  await mine(
    actors.map((i) => ({
      from: i,
      to: at.registry,
      data: registry.encodeFunctionData("register", [
        `w${seed}_${i}`,
        `ipfs://workload/${seed}/profile/${i}`,
      ]),
    })),
  );
  const profileIds = [0n];
  for (const word of await read(
    actors.map((i) => ({
      to: at.registry,
      data: registry.encodeFunctionData("profileIdOf", [addresses[i]]),
    })),
  )) {
    profileIds.push(BigInt(word));
  }
  if (profileIds.slice(1).some((p) => p === 0n)) {
    throw new Error("some workload wallets have no profile: were they registered before?");
  }

  // Bookkeeping of mined state, so that every action sent is one the contracts accept.
  const postCount = new Array<number>(count + 1).fill(0);
  const minedPostCount = new Array<number>(count + 1).fill(0);
  const posts: bigint[] = [];
  const creators = actors.slice(0, Math.max(2, Math.floor(count / 3)));
  const coins: string[] = [];
  /** Coin-wei of coin c held by wallet i, as mined. */
  const holdings = new Map<string, bigint>();
  const held = (i: number, c: number) => holdings.get(`${i}:${c}`) ?? 0n;
  const credit = (i: number, c: number, amount: bigint) =>
    holdings.set(`${i}:${c}`, held(i, c) + amount);
  const govBalance = new Array<bigint>(count + 1).fill(0n);
  const voted = new Set<number>();
  // Fees: a sweep or withdrawal only counts activity of blocks after the previous one, since
  // activity in the same block as the previous sweep may have been swept by it or not,
  // depending on the order the node chose within that block. Values are round numbers.
  let round = 0;
  const tradedAt = new Map<number, number>();
  const sweptAt = new Map<number, number>();
  const creatorWithdrawnAt = new Map<number, number>();
  const tokenTipAt = new Map<string, number>();
  const tokenSweptAt = new Map<string, number>();
  let ethTipAt = -1;
  let ethSweptAt = -1;
  const traded = (c: number) => tradedAt.set(c, round);

  const postAction = (i: number): Action => {
    const sequence = ++postCount[i];
    const postId = (profileIds[i] << 64n) | BigInt(sequence);
    const uri = `ipfs://workload/${seed}/post/${i}/${sequence}`;
    const reply = posts.length > 0 && random.int(3) === 0;
    const quote = posts.length > 0 && random.int(6) === 0;
    return {
      from: i,
      to: at.registry,
      data:
        reply || quote
          ? registry.encodeFunctionData("postWithRefs", [
              profileIds[i],
              uri,
              reply ? random.pick(posts) : 0n,
              quote ? random.pick(posts) : 0n,
            ])
          : registry.encodeFunctionData("post", [profileIds[i], uri]),
      onSuccess: () => {
        posts.push(postId);
        minedPostCount[i] = sequence;
      },
    };
  };

  // Phase 2: coins launched with an opening buy, a first post each, governance tokens handed
  // out and delegated.
  const govGrant = parseEther("100000");
  await mine([
    ...creators.map((i) => ({
      from: i,
      to: at.factory,
      data: factory.encodeFunctionData("launch", [profileIds[i], 100n, 0n, DEADLINE]),
      value: parseEther("0.01"),
    })),
    ...actors.map(postAction),
    ...actors.map((i) => ({
      from: i,
      to: at.token,
      data: token.encodeFunctionData("delegate", [addresses[i]]),
    })),
    ...actors.map((i) => ({
      from: 0,
      to: at.token,
      data: token.encodeFunctionData("transfer", [addresses[i], govGrant]),
      onSuccess: () => (govBalance[i] += govGrant),
    })),
  ]);
  for (const word of await read(
    creators.map((i) => ({
      to: at.factory,
      data: factory.encodeFunctionData("coinOf", [profileIds[i]]),
    })),
  )) {
    coins.push("0x" + word.slice(26));
  }
  // Creator c (index into `creators`) owns coins[c]; its launch bought some for it, unknown here,
  // so only coins bought with buyExactOut or received are counted as held.

  // Phase 3: the proposal, and every wallet approves the tip jar for one coin.
  const buckets = [
    { recipient: addresses[0], bps: 4_000 },
    { recipient: at.timelock, bps: 3_500 },
  ];
  const proposalCall = split.encodeFunctionData("setAllocation", [buckets, 2_500]);
  const description = `Workload ${seed}: raise the creator share of protocol revenue to 25%`;
  const proposal: [string[], bigint[], string[]] = [[at.split], [0n], [proposalCall]];
  const favourite = (i: number) => i % coins.length;
  await mine([
    {
      from: 0,
      to: at.governor,
      data: governor.encodeFunctionData("propose", [...proposal, description]),
      gas: 3_000_000n,
    },
    ...actors.map((i) => ({
      from: i,
      to: coins[favourite(i)],
      data: coinAbi.encodeFunctionData("approve", [at.tipJar, 2n ** 255n]),
    })),
  ]);
  const [proposalWord, delayWord, periodWord, timelockDelayWord] = await read([
    {
      to: at.governor,
      data: governor.encodeFunctionData("hashProposal", [...proposal, id(description)]),
    },
    { to: at.governor, data: governor.encodeFunctionData("votingDelay") },
    { to: at.governor, data: governor.encodeFunctionData("votingPeriod") },
    {
      to: at.timelock,
      data: timelock.encodeFunctionData("getMinDelay"),
    },
  ]);
  const proposalId = BigInt(proposalWord);
  // Voting opens after the delay: the next block lands just past it.
  await mine([], Number(BigInt(delayWord)) + 1);
  await mine([
    {
      from: 0,
      to: at.governor,
      data: governor.encodeFunctionData("castVoteWithReason", [proposalId, 1, "workload: for"]),
      gas: 500_000n,
    },
  ]);
  log(`setup: ${result.events} events in ${result.blocks} blocks, ${coins.length} coins`);

  /** One random action of wallet `i`, chosen among those its mined state allows. */
  const actionOf = (i: number): Action => {
    const roll = random.int(100);
    const me = profileIds[i];
    if (roll < 10) return postAction(i);
    if (roll < 16) {
      let target = random.pick(actors);
      if (target === i) target = i === 1 ? 2 : 1;
      const unfollow = random.int(5) === 0;
      return {
        from: i,
        to: at.registry,
        data: unfollow
          ? registry.encodeFunctionData("unfollow", [me, profileIds[target]])
          : registry.encodeFunctionData("follow", [me, profileIds[target]]),
      };
    }
    if (roll < 24 && posts.length > 0) {
      return {
        from: i,
        to: at.registry,
        data: registry.encodeFunctionData("react", [me, random.pick(posts), random.int(3)]),
      };
    }
    if (roll < 50) {
      // Buy an exact amount (0.05 to 0.5 coin), paying with a generous value refunded in part;
      // half of the buys go to the wallet's favourite coin, which it sells, sends and tips.
      const c = random.int(2) === 0 ? favourite(i) : random.int(coins.length);
      const amount = (COIN * BigInt(5 + random.int(46))) / 100n;
      traded(c);
      return {
        from: i,
        to: coins[c],
        data: coinAbi.encodeFunctionData("buyExactOut", [
          amount,
          parseEther("50"),
          DEADLINE,
          addresses[i],
        ]),
        value: parseEther("50"),
        onSuccess: () => credit(i, c, amount),
      };
    }
    if (roll < 56) {
      const c = random.int(coins.length);
      traded(c);
      return {
        from: i,
        to: coins[c],
        data: coinAbi.encodeFunctionData("buyExactIn", [0n, DEADLINE, addresses[i]]),
        value: parseEther("0.02"),
      };
    }
    const c = favourite(i);
    const balance = held(i, c);
    if (roll < 70 && balance >= COIN / 10n) {
      // Sell part of the holding; it is taken out of the books now so later actions of this
      // block cannot spend it twice.
      const amount = balance / 3n;
      credit(i, c, -amount);
      traded(c);
      return {
        from: i,
        to: coins[c],
        data: coinAbi.encodeFunctionData("sellExactIn", [amount, 0n, DEADLINE, addresses[i]]),
        onSuccess: () => undefined,
      };
    }
    if (roll < 76 && balance >= COIN / 10n) {
      let to = random.pick(actors);
      if (to === i) to = i === 1 ? 2 : 1;
      const amount = balance / 5n;
      credit(i, c, -amount);
      return {
        from: i,
        to: coins[c],
        data: coinAbi.encodeFunctionData("transfer", [addresses[to], amount]),
        onSuccess: () => credit(to, c, amount),
      };
    }
    if (roll < 80 && balance >= COIN / 10n) {
      // A tip in the creator coin to a random profile (or one of its posts).
      const amount = balance / 10n;
      credit(i, c, -amount);
      const target = random.pick(actors);
      const creatorId = profileIds[target];
      tokenTipAt.set(`${c}:${creatorId}`, round);
      const ownPosts = minedPostCount[target];
      return {
        from: i,
        to: at.tipJar,
        data:
          ownPosts > 0 && random.int(2) === 0
            ? tipJar.encodeFunctionData("tipPostToken", [
                (creatorId << 64n) | BigInt(1 + random.int(ownPosts)),
                coins[c],
                amount,
                "nice",
              ])
            : tipJar.encodeFunctionData("tipToken", [creatorId, coins[c], amount, "thanks"]),
      };
    }
    if (roll < 88) {
      ethTipAt = round;
      const value = parseEther("0.001") * BigInt(1 + random.int(20));
      if (posts.length > 0 && random.int(2) === 0) {
        return {
          from: i,
          to: at.tipJar,
          data: tipJar.encodeFunctionData("tipPostETH", [random.pick(posts), "great post"]),
          value,
        };
      }
      return {
        from: i,
        to: at.tipJar,
        data: tipJar.encodeFunctionData("tipETH", [profileIds[random.pick(actors)], "thanks!"]),
        value,
      };
    }
    if (roll < 92 && !voted.has(i)) {
      voted.add(i);
      return {
        from: i,
        to: at.governor,
        data: governor.encodeFunctionData("castVote", [proposalId, random.int(3)]),
        gas: 500_000n,
      };
    }
    if (roll < 97 && govBalance[i] >= COIN) {
      let to = random.pick(actors);
      if (to === i) to = i === 1 ? 2 : 1;
      const amount = COIN * BigInt(1 + random.int(100));
      if (govBalance[i] >= amount) {
        govBalance[i] -= amount;
        return {
          from: i,
          to: at.token,
          data: token.encodeFunctionData("transfer", [addresses[to], amount]),
          onSuccess: () => (govBalance[to] += amount),
        };
      }
    }
    if (roll < 100) {
      return {
        from: i,
        to: at.token,
        data: token.encodeFunctionData("delegate", [addresses[random.pick(actors)]]),
      };
    }
    return postAction(i);
  };

  // Revenue cycle, one step per block: sweep fees into the split, distribute, withdraw.
  let sweptETH = false;
  let sweptTokens: number[] = [];
  let creditedProfiles: number[] = [];
  /** The revenue actions of step 0 (sweep), 1 (distribute) or 2 (withdraw) at `round`. */
  const revenueStep = (step: number): Action[] => {
    const out: Action[] = [];
    const since = (at: number | undefined, last: number | undefined) => (at ?? -1) > (last ?? -1);
    if (step === 0) {
      const swept = [...tradedAt.keys()].filter((c) => since(tradedAt.get(c), sweptAt.get(c)));
      for (const c of swept) {
        sweptAt.set(c, round);
        out.push({ from: 0, to: coins[c], data: coinAbi.encodeFunctionData("sweepProtocolFees") });
      }
      creditedProfiles = swept.map((c) => creators[c]);
      const ethTipped = ethTipAt > ethSweptAt;
      if (ethTipped) {
        ethSweptAt = round;
        out.push({ from: 0, to: at.tipJar, data: tipJar.encodeFunctionData("sweepETH") });
      }
      sweptETH = swept.length > 0 || ethTipped;
      const creatorsByCoin = new Map<number, bigint[]>();
      for (const [key, tippedAt] of tokenTipAt) {
        if (!since(tippedAt, tokenSweptAt.get(key))) continue;
        tokenSweptAt.set(key, round);
        const [c, creatorId] = key.split(":");
        const list = creatorsByCoin.get(Number(c)) ?? [];
        list.push(BigInt(creatorId));
        creatorsByCoin.set(Number(c), list);
      }
      sweptTokens = [...creatorsByCoin.keys()];
      for (const [c, creatorIds] of creatorsByCoin) {
        out.push({
          from: 0,
          to: at.tipJar,
          data: tipJar.encodeFunctionData("sweepToken", [coins[c], creatorIds]),
          gas: 15_000_000n,
        });
      }
    } else if (step === 1) {
      if (sweptETH) {
        out.push({ from: 0, to: at.split, data: split.encodeFunctionData("distribute", [ZERO]) });
      }
      for (const c of sweptTokens) {
        out.push({
          from: 0,
          to: at.split,
          data: split.encodeFunctionData("distribute", [coins[c]]),
        });
      }
    } else if (step === 2) {
      if (sweptETH) {
        out.push({
          from: 0,
          to: at.split,
          data: split.encodeFunctionData("withdraw", [ZERO, addresses[0]]),
        });
      }
      for (const c of sweptTokens) {
        out.push({
          from: 0,
          to: at.split,
          data: split.encodeFunctionData("withdraw", [coins[c], addresses[0]]),
        });
      }
      for (const i of creditedProfiles) {
        out.push({
          from: i,
          to: at.split,
          data: split.encodeFunctionData("withdrawForProfile", [ZERO, profileIds[i], addresses[i]]),
        });
      }
      for (const [c, tradeRound] of tradedAt) {
        if (!since(tradeRound, creatorWithdrawnAt.get(c))) continue;
        creatorWithdrawnAt.set(c, round);
        const owner = creators[c];
        out.push({
          from: owner,
          to: coins[c],
          data: coinAbi.encodeFunctionData("withdrawCreatorFees", [addresses[owner]]),
        });
      }
      sweptETH = false;
      sweptTokens = [];
      creditedProfiles = [];
    }
    return out;
  };

  // Main rounds until the target is reached. Round r+1 is chosen and signed while round r is
  // mined, so its choices see the mined state of round r-1: every choice above stays valid with
  // one block of lag (spending is booked when sent, receiving when mined).
  let lastLog = Date.now();
  let inFlight: Promise<() => void> = Promise.resolve(() => undefined);
  while (result.events < params.targetEvents) {
    // The revenue step only covers activity of earlier blocks: the order of transactions
    // within a block is the node's choice, so nothing may depend on it.
    const revenue = round % 10 >= 7 ? revenueStep((round % 10) - 7) : [];
    const actions: Action[] = [];
    for (let k = 0; k < perWallet; k++) for (const i of actors) actions.push(actionOf(i));
    actions.push(...revenue);
    const signed = await sign(actions);
    (await inFlight)();
    inFlight = submit(signed, 12, true);
    round++;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(
        `${result.events} events, ${result.transactions} transactions, ${result.blocks} blocks, ` +
          `${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  }
  (await inFlight)();
  // Finish the revenue cycle that may be open, then one more full cycle.
  while (round % 10 !== 0) {
    if (round % 10 >= 7) await mine(revenueStep((round % 10) - 7));
    round++;
  }
  for (let step = 0; step < 3; step++) {
    await mine(revenueStep(step));
    round++;
  }

  // Closing: every wallet that has not voted votes; the proposal is queued and executed.
  await mine(
    actors
      .filter((i) => !voted.has(i))
      .map((i) => ({
        from: i,
        to: at.governor,
        data: governor.encodeFunctionData("castVote", [proposalId, 1]),
        gas: 500_000n,
      })),
  );
  await mine([], Number(BigInt(periodWord)) + 1);
  await mine([
    {
      from: 0,
      to: at.governor,
      data: governor.encodeFunctionData("queue", [...proposal, id(description)]),
      gas: 3_000_000n,
    },
  ]);
  await mine([], Number(BigInt(timelockDelayWord)) + 1);
  await mine([
    {
      from: 0,
      to: at.governor,
      data: governor.encodeFunctionData("execute", [...proposal, id(description)]),
      gas: 3_000_000n,
    },
  ]);
  await rpc.call("evm_setBlockGasLimit", [gasLimitBefore]);
  await rpc.call("evm_setAutomine", [true]);

  result.seconds = (Date.now() - started) / 1000;
  if (result.reverted > 0) {
    log(`${result.reverted} transactions reverted, for example ${firstReverts.join(", ")}`);
  }
  log(
    `done: ${result.events} events, ${result.transactions} transactions, ${result.blocks} blocks ` +
      `in ${result.seconds.toFixed(1)} s`,
  );
  return result;
}
