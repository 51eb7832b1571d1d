import type pg from "pg";
import type { Logger } from "pino";
import type { IndexerConfig } from "../config";
import { inTransaction } from "../db/database";
import { notifyCommitted } from "../db/notify";
import type { ChildContracts, Handler } from "../handlers/types";
import type { Metrics } from "../metrics";
import { createLogDecoder, type DecodedLog } from "./decode";
import {
  AbortedError,
  RangeTooLargeError,
  RpcError,
  sleep,
  type Rpc,
  type RpcBlock,
  type RpcLog,
} from "./rpc";

/** The outcome of one sync step. */
export type SyncStep =
  | { type: "batch"; fromBlock: bigint; toBlock: bigint; events: number }
  | { type: "reorg"; commonAncestor: bigint; rolledBack: bigint }
  | { type: "caught-up"; block: bigint }
  /** The provider refused the range or the chain moved during the fetch; nothing was written. */
  | { type: "retry"; reason: string };

export interface Sync {
  /** Reads or creates the checkpoint and checks that chain and contracts match it. */
  init(): Promise<void>;
  step(): Promise<SyncStep>;
  /** Steps until the indexed block reaches the head (minus confirmations). */
  syncToHead(): Promise<void>;
  /** Steps until `signal` aborts, sleeping between polls once caught up. */
  run(signal: AbortSignal): Promise<void>;
  status(): { ready: boolean; indexedBlock: bigint; headBlock: bigint };
}

/** Not retryable: the database holds another chain's data, or a reorg went deeper than kept. */
export class SyncFatalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncFatalError";
  }
}

export interface CreateSyncParams {
  config: IndexerConfig;
  handlers: readonly Handler[];
  pool: pg.Pool;
  rpc: Rpc;
  logger: Logger;
  metrics: Metrics;
}

interface Checkpoint {
  number: bigint;
  /** Null before the first block when indexing starts at genesis. */
  hash: string | null;
}

const ZERO_HASH = "0x" + "0".repeat(64);
const hex = (n: bigint) => "0x" + n.toString(16);

/**
 * The sync engine. Each step fetches one range of logs for every indexed contract, checks
 * that the range continues the chain the database holds, and writes the events together with
 * the new checkpoint in one transaction. One code path serves backfill and live following:
 * near the head the range is simply small.
 *
 * Factory children (`Handler.children`): the engine keeps the set of known child addresses,
 * loaded with `children.load` at `init` and again after every rollback. A step fetches the
 * static contracts' logs for the range, adds the children their `children.event` logs name,
 * then fetches the logs of every known child for the same range in one `eth_getLogs` with an
 * address list (skipped while there are none) and merges both in chain order. The reorg
 * checks and the range shrinking apply to both requests alike. A child cannot log before the
 * transaction that creates it, so fetching its logs over the whole range is exact. Children
 * found in a range that is not written are forgotten again. The checkpoint's `contracts`
 * fingerprint covers the static contracts only.
 *
 * Pipelining: while a batch is written, the next range is already fetched and decoded, so the
 * node and the database work at the same time. A range fetched ahead is checked against the
 * chain like any other (its last block's hash across the fetch, every log's block hash), and
 * whether it continues the checkpoint is checked only when it is written; if the write fails or
 * the next step starts elsewhere (a reorg, caught up), it is dropped.
 */
export function createSync(params: CreateSyncParams): Sync {
  const { config, pool, rpc, logger, metrics } = params;
  const deployed = params.handlers.filter(
    (handler) => config.deployment.contracts[handler.contract],
  );
  for (const handler of params.handlers) {
    if (!config.deployment.contracts[handler.contract]) {
      logger.warn(
        { contract: handler.contract, deployment_file: config.deploymentFile },
        "contract not deployed, skipped",
      );
    }
  }
  if (deployed.length === 0) {
    throw new SyncFatalError(`${config.deploymentFile} holds none of the indexed contracts`);
  }
  const contracts = deployed.map((handler) => ({
    contract: handler.contract,
    address: config.deployment.contracts[handler.contract].address,
    events: handler.events,
    startBlock: config.deployment.contracts[handler.contract].blockNumber,
  }));
  const addresses = contracts.map((c) => c.address);
  const startBlock = contracts.reduce(
    (min, c) => (c.startBlock < min ? c.startBlock : min),
    contracts[0].startBlock,
  );
  const fingerprint = contracts
    .map((c) => `${c.contract}=${c.address}`)
    .sort()
    .join(",");
  const decode = createLogDecoder(contracts);
  const handlerByContract = new Map(deployed.map((handler) => [handler.contract, handler]));
  const factories = deployed.filter(
    (handler): handler is Handler & { children: ChildContracts } => handler.children !== undefined,
  );
  for (const handler of factories) {
    if (handlerByContract.has(handler.children.contract)) {
      throw new SyncFatalError(
        `${handler.contract} declares children named ${handler.children.contract}, a name another handler uses`,
      );
    }
  }
  /** `DecodedLog.contract` -> the handler its logs go to: a child's go to its factory's. */
  const handlerOf = new Map<string, Handler>([
    ...handlerByContract,
    ...factories.map((handler) => [handler.children.contract, handler] as const),
  ]);
  /** Known child addresses (lowercase), each with the declaration it belongs to. */
  let children = new Map<string, ChildContracts>();

  let checkpoint: Checkpoint = { number: startBlock - 1n, hash: null };
  let range = BigInt(config.initialBlockRange);
  let ready = false;
  let headBlock = 0n;

  async function header(number: bigint): Promise<RpcBlock | null> {
    return rpc.request<RpcBlock | null>("eth_getBlockByNumber", [hex(number), false]);
  }

  async function headers(numbers: bigint[]): Promise<Map<bigint, RpcBlock | null>> {
    const unique = [...new Set(numbers)];
    const found = new Map<bigint, RpcBlock | null>();
    // Providers cap the size of a JSON-RPC batch; 100 calls is below every known cap.
    for (let i = 0; i < unique.length; i += 100) {
      const chunk = unique.slice(i, i + 100);
      const replies = await rpc.batch<RpcBlock | null>(
        chunk.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
      );
      chunk.forEach((n, j) => found.set(n, replies[j]));
    }
    return found;
  }

  /** Replaces the known children with the database's, and routes their logs to the decoder. */
  async function loadChildren(): Promise<void> {
    const loaded = new Map<string, ChildContracts>();
    for (const handler of factories) {
      for (const address of await handler.children.load(pool)) {
        loaded.set(address.toLowerCase(), handler.children);
      }
    }
    for (const address of children.keys()) {
      if (!loaded.has(address)) decode.removeAddress(address);
    }
    for (const [address, declaration] of loaded) {
      if (!children.has(address)) {
        decode.addContract({ contract: declaration.contract, address, events: declaration.events });
      }
    }
    children = loaded;
  }

  async function init(): Promise<void> {
    await initCheckpoint();
    await loadChildren();
  }

  async function initCheckpoint(): Promise<void> {
    const chainId = Number(BigInt(await rpc.request<string>("eth_chainId", [])));
    if (chainId !== config.chainId) {
      throw new SyncFatalError(
        `RPC_URL ${config.rpcUrl} serves chain ${chainId} but CHAIN_ID/the deployment says ${config.chainId}; point RPC_URL at chain ${config.chainId}`,
      );
    }
    const stored = await pool.query<{
      chain_id: string;
      contracts: string;
      block_number: string;
      block_hash: string;
    }>(
      "SELECT chain_id::text, contracts, block_number::text, block_hash FROM sync_checkpoint WHERE id = 1",
    );
    if (stored.rowCount === 0) {
      let hash: string | null = null;
      if (startBlock > 0n) {
        const parent = await header(startBlock - 1n);
        if (!parent)
          throw new SyncFatalError(`block ${startBlock - 1n} is not on chain ${chainId} yet`);
        hash = parent.hash;
      }
      checkpoint = { number: startBlock - 1n, hash };
      await inTransaction(pool, async (client) => {
        await client.query(
          "INSERT INTO sync_checkpoint (id, chain_id, contracts, block_number, block_hash) VALUES (1, $1, $2, $3, $4)",
          [chainId, fingerprint, checkpoint.number.toString(), hash ?? ""],
        );
        if (hash) {
          await client.query(
            "INSERT INTO sync_blocks (number, hash, parent_hash) VALUES ($1, $2, '')",
            [checkpoint.number.toString(), hash],
          );
        }
      });
      logger.info(
        { chain_id: chainId, start_block: Number(startBlock), contracts: fingerprint },
        "sync starts",
      );
      return;
    }
    const row = stored.rows[0];
    if (Number(row.chain_id) !== chainId) {
      throw new SyncFatalError(
        `the database holds chain ${row.chain_id}, the RPC serves chain ${chainId}; use another DATABASE_URL (or drop this database)`,
      );
    }
    if (row.contracts !== fingerprint) {
      throw new SyncFatalError(
        `the database was indexed from ${row.contracts}, the deployment now has ${fingerprint}; re-index into an empty database`,
      );
    }
    checkpoint = {
      number: BigInt(row.block_number),
      hash: row.block_hash === "" ? null : row.block_hash,
    };
    metrics.indexedBlock.set(Number(checkpoint.number));
    logger.info({ chain_id: chainId, block_number: Number(checkpoint.number) }, "sync resumes");
  }

  /** Whether the block the checkpoint names is still on the chain. */
  async function checkpointOnChain(): Promise<boolean> {
    if (checkpoint.hash === null) return true;
    const block = await header(checkpoint.number);
    return block !== null && block.hash === checkpoint.hash;
  }

  /** Whether `first` (the block after the checkpoint) builds on the checkpoint block. */
  async function continuesCheckpoint(first: RpcBlock): Promise<boolean> {
    if (checkpoint.hash === null) return true;
    // Blocks made by hardhat_mine carry a zero parentHash: compare the checkpoint block's own
    // hash instead of trusting or rejecting the zero.
    if (first.parentHash === ZERO_HASH) return checkpointOnChain();
    return first.parentHash === checkpoint.hash;
  }

  async function findCommonAncestor(): Promise<Checkpoint> {
    const stored = await pool.query<{ number: string; hash: string }>(
      "SELECT number::text, hash FROM sync_blocks WHERE number <= $1 ORDER BY number DESC",
      [checkpoint.number.toString()],
    );
    const candidates = stored.rows.map((row) => ({ number: BigInt(row.number), hash: row.hash }));
    for (let i = 0; i < candidates.length; i += 20) {
      const chunk = candidates.slice(i, i + 20);
      const onChain = await headers(chunk.map((c) => c.number));
      const match = chunk.find((c) => onChain.get(c.number)?.hash === c.hash);
      if (match) return match;
    }
    if (startBlock === 0n) return { number: -1n, hash: null };
    throw new SyncFatalError(
      `chain reorganised below block ${candidates.at(-1)?.number ?? checkpoint.number}, deeper than MAX_REORG_DEPTH (${config.maxReorgDepth}); raise it and re-index into an empty database`,
    );
  }

  async function rollBack(): Promise<SyncStep> {
    const ancestor = await findCommonAncestor();
    const rolledBack = checkpoint.number - ancestor.number;
    await inTransaction(pool, async (client) => {
      for (const handler of [...deployed].reverse())
        await handler.rollback(client, ancestor.number);
      await client.query("DELETE FROM blocks WHERE number > $1", [ancestor.number.toString()]);
      await client.query("DELETE FROM sync_blocks WHERE number > $1", [ancestor.number.toString()]);
      await client.query(
        "UPDATE sync_checkpoint SET block_number = $1, block_hash = $2 WHERE id = 1",
        [ancestor.number.toString(), ancestor.hash ?? ""],
      );
      await notifyCommitted(client, { type: "reorg", commonAncestor: ancestor.number.toString() });
    });
    logger.warn(
      {
        common_ancestor: Number(ancestor.number),
        from_block: Number(checkpoint.number),
        blocks: Number(rolledBack),
      },
      "reorg rolled back",
    );
    checkpoint = ancestor;
    await loadChildren();
    metrics.reorgs.inc();
    metrics.indexedBlock.set(Number(ancestor.number));
    return { type: "reorg", commonAncestor: ancestor.number, rolledBack };
  }

  async function write(
    fromBlock: bigint,
    to: RpcBlock,
    logs: DecodedLog[],
    blocks: Map<bigint, RpcBlock | null>,
  ) {
    const toBlock = BigInt(to.number);
    // Each handler gets its own logs and its children's, in chain order.
    const byHandler = new Map<Handler, DecodedLog[]>();
    for (const log of logs) {
      const handler = handlerOf.get(log.contract)!;
      const own = byHandler.get(handler);
      if (own) own.push(log);
      else byHandler.set(handler, [log]);
    }
    await inTransaction(pool, async (client) => {
      // Blocks first, so that handlers may read the timestamps of the batch's blocks.
      const eventBlocks = [...new Set(logs.map((log) => log.blockNumber))];
      if (eventBlocks.length > 0) {
        await client.query(
          `INSERT INTO blocks (number, hash, timestamp)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
          [
            eventBlocks.map(String),
            eventBlocks.map((n) => blocks.get(n)!.hash),
            eventBlocks.map((n) => BigInt(blocks.get(n)!.timestamp).toString()),
          ],
        );
      }
      for (const handler of deployed) {
        const own = byHandler.get(handler);
        if (own) await handler.apply(client, own);
      }
      await client.query(
        "INSERT INTO sync_blocks (number, hash, parent_hash) VALUES ($1, $2, $3) ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash",
        [toBlock.toString(), to.hash, to.parentHash],
      );
      // Keep the hashes a reorg of up to maxReorgDepth blocks needs, and one block below them.
      await client.query(
        `DELETE FROM sync_blocks WHERE number < (
           SELECT max(number) FROM sync_blocks WHERE number <= $1::bigint - $2::bigint)`,
        [toBlock.toString(), config.maxReorgDepth],
      );
      await client.query(
        "UPDATE sync_checkpoint SET block_number = $1, block_hash = $2 WHERE id = 1",
        [toBlock.toString(), to.hash],
      );
      if (logs.length > 0) {
        await notifyCommitted(client, {
          type: "batch",
          fromBlock: fromBlock.toString(),
          toBlock: toBlock.toString(),
          events: logs.length,
        });
      }
    });
    checkpoint = { number: toBlock, hash: to.hash };
    metrics.recordBatch(Number(toBlock - fromBlock + 1n), logs.length);
    metrics.indexedBlock.set(Number(toBlock));
  }

  /** A range fetched, decoded and checked against itself, ready to be written. */
  interface Fetched {
    fromBlock: bigint;
    toBlock: bigint;
    first: RpcBlock;
    to: RpcBlock;
    /** In chain order, timestamps filled in. */
    logs: DecodedLog[];
    blocks: Map<bigint, RpcBlock | null>;
    /** Logs in the replies, before decoding (it sizes the next range). */
    replied: number;
    /** Children first seen in this range: routed in the decoder, known once written. */
    discovered: Map<string, ChildContracts>;
  }

  type FetchOutcome =
    | { type: "fetched"; fetched: Fetched }
    /** A block of the range is missing: the chain may have reorganised below it. */
    | { type: "moved" }
    | { type: "retry"; reason: string };

  /** The next range, fetched while the previous one is written. */
  let prefetch: { fromBlock: bigint; toBlock: bigint; outcome: Promise<FetchOutcome> } | null =
    null;
  /** A write failed, so whether it committed is unknown until the checkpoint is read again. */
  let checkpointInDoubt = false;

  /** Removes the decoder routes of children that were found but never written. */
  function forget(discovered: Map<string, ChildContracts>): void {
    for (const address of discovered.keys()) {
      if (!children.has(address)) decode.removeAddress(address);
    }
  }

  /**
   * The prefetched outcome if it covers `fromBlock` onwards and ends by `safe`. Any other
   * prefetch is dropped, once settled, and null returned.
   */
  async function takePrefetch(
    fromBlock: bigint | null,
    safe: bigint,
  ): Promise<FetchOutcome | null> {
    const taken = prefetch;
    prefetch = null;
    if (!taken) return null;
    if (taken.fromBlock === fromBlock && taken.toBlock <= safe) return taken.outcome;
    const outcome = await taken.outcome.catch(() => null);
    if (outcome?.type === "fetched") forget(outcome.fetched.discovered);
    return null;
  }

  /**
   * Re-reads the checkpoint and the known children from the database: after a write whose
   * commit is in doubt (the connection failed), the database may be ahead of memory.
   */
  async function reloadCheckpoint(): Promise<void> {
    const { rows } = await pool.query<{ block_number: string; block_hash: string }>(
      "SELECT block_number::text, block_hash FROM sync_checkpoint WHERE id = 1",
    );
    checkpoint = {
      number: BigInt(rows[0].block_number),
      hash: rows[0].block_hash === "" ? null : rows[0].block_hash,
    };
    await loadChildren();
  }

  async function step(): Promise<SyncStep> {
    if (checkpointInDoubt) {
      await reloadCheckpoint();
      checkpointInDoubt = false;
    }
    headBlock = BigInt(await rpc.request<string>("eth_blockNumber", []));
    metrics.headBlock.set(Number(headBlock));
    const safe = headBlock - BigInt(config.confirmations);
    if (safe <= checkpoint.number) {
      await takePrefetch(null, safe);
      if (!(await checkpointOnChain())) return rollBack();
      ready = true;
      return { type: "caught-up", block: checkpoint.number };
    }
    const fromBlock = checkpoint.number + 1n;
    let outcome: FetchOutcome;
    let toBlock = fromBlock + range - 1n < safe ? fromBlock + range - 1n : safe;
    try {
      outcome =
        (await takePrefetch(fromBlock, safe)) ?? (await fetchRange(fromBlock, toBlock, new Map()));
    } catch (error) {
      if (!(error instanceof RangeTooLargeError)) throw error;
      const refused = error.range ?? { fromBlock, toBlock };
      const span = refused.toBlock - refused.fromBlock + 1n;
      range = span > 1n ? span / 2n : 1n;
      logger.info(
        {
          from_block: Number(refused.fromBlock),
          to_block: Number(refused.toBlock),
          next_range: Number(range),
        },
        "range refused, shrinking",
      );
      if (span === 1n) {
        throw new SyncFatalError(
          `the provider refuses eth_getLogs even for block ${refused.fromBlock} alone (${error.message}); use an RPC_URL without that limit`,
        );
      }
      return { type: "retry", reason: "range refused" };
    }
    if (outcome.type === "retry") return outcome;
    if (outcome.type === "moved" || !(await continuesCheckpoint(outcome.fetched.first))) {
      if (outcome.type === "fetched") forget(outcome.fetched.discovered);
      if (!(await checkpointOnChain())) return rollBack();
      return { type: "retry", reason: "chain moved during fetch" };
    }
    const fetched = outcome.fetched;
    toBlock = fetched.toBlock;

    range = nextRange(fetched);
    // Fetch the next range while this one is written: the node and the database work at once.
    if (toBlock < safe) {
      const nextFrom = toBlock + 1n;
      const nextTo = nextFrom + range - 1n < safe ? nextFrom + range - 1n : safe;
      const outcome = fetchRange(nextFrom, nextTo, fetched.discovered);
      // Settled by the next step, or by takePrefetch when that step starts elsewhere.
      outcome.catch(() => undefined);
      prefetch = { fromBlock: nextFrom, toBlock: nextTo, outcome };
    }
    try {
      await write(fromBlock, fetched.to, fetched.logs, fetched.blocks);
    } catch (error) {
      await takePrefetch(null, safe);
      forget(fetched.discovered);
      checkpointInDoubt = true;
      throw error;
    }
    for (const [address, declaration] of fetched.discovered) children.set(address, declaration);
    logger.info(
      {
        from_block: Number(fromBlock),
        to_block: Number(toBlock),
        events: fetched.logs.length,
        head_block: Number(headBlock),
      },
      "batch committed",
    );
    return { type: "batch", fromBlock, toBlock, events: fetched.logs.length };
  }

  /**
   * The next range's size, from what this one held: doubled (up to maxBlockRange) when it held
   * fewer than half of targetLogsPerRequest logs; scaled down to about that many when it held
   * more than twice as many, so that dense history comes in batches small enough to write one
   * while the next is fetched.
   */
  function nextRange(fetched: Fetched): bigint {
    const span = fetched.toBlock - fetched.fromBlock + 1n;
    const target = BigInt(config.targetLogsPerRequest);
    const replied = BigInt(fetched.replied);
    if (replied < target / 2n) {
      const grown = range * 2n;
      return grown > BigInt(config.maxBlockRange) ? BigInt(config.maxBlockRange) : grown;
    }
    if (replied > target * 2n) {
      const scaled = (span * target) / replied;
      return scaled > 1n ? scaled : 1n;
    }
    return range;
  }

  const getLogs = (fromBlock: bigint, toBlock: bigint, address: string[]) =>
    rpc.request<RpcLog[]>("eth_getLogs", [
      { fromBlock: hex(fromBlock), toBlock: hex(toBlock), address },
    ]);

  /**
   * Adds the children that `logs` announce and that are neither known nor `pending` (found in
   * the range before, not written yet) to `discovered`.
   */
  function discoverChildren(
    logs: readonly DecodedLog[],
    pending: Map<string, ChildContracts>,
    discovered: Map<string, ChildContracts>,
  ) {
    for (const log of logs) {
      const handler = handlerByContract.get(log.contract);
      const declaration = handler?.children;
      if (!declaration || log.event !== declaration.event) continue;
      const address = String(log.args[declaration.addressArg]).toLowerCase();
      if (children.has(address) || pending.has(address) || discovered.has(address)) continue;
      discovered.set(address, declaration);
      decode.addContract({ contract: declaration.contract, address, events: declaration.events });
    }
  }

  /**
   * Fetches and decodes the logs of blocks `fromBlock..toBlock`: the static contracts', then
   * those of every child known, `pending` or found in them. Checks that the range is one chain
   * (its last block kept its hash across the fetch, every log's block hash matches); whether
   * it continues the checkpoint is for the caller to check when it writes it. A refused range
   * throws RangeTooLargeError carrying the range.
   */
  async function fetchRange(
    fromBlock: bigint,
    toBlock: bigint,
    pending: Map<string, ChildContracts>,
  ): Promise<FetchOutcome> {
    const discovered = new Map<string, ChildContracts>();
    let keep = false;
    try {
      const before = await header(toBlock);
      let rawLogs: RpcLog[];
      let decoded: DecodedLog[];
      try {
        rawLogs = await getLogs(fromBlock, toBlock, addresses);
        // Timestamps are filled in below, once the blocks are known.
        decoded = decode(rawLogs, () => 0n);
        discoverChildren(decoded, pending, discovered);
        const childAddresses = [...children.keys(), ...pending.keys(), ...discovered.keys()];
        if (childAddresses.length > 0) {
          const childLogs = await getLogs(fromBlock, toBlock, childAddresses);
          rawLogs = rawLogs.concat(childLogs);
          decoded = decoded.concat(decode(childLogs, () => 0n));
        }
      } catch (error) {
        if (error instanceof RangeTooLargeError) error.range = { fromBlock, toBlock };
        throw error;
      }

      const logBlocks = rawLogs.map((log) => BigInt(log.blockNumber));
      const blocks = await headers([fromBlock, toBlock, ...logBlocks]);
      const first = blocks.get(fromBlock);
      const to = blocks.get(toBlock);
      if (!first || !to) return { type: "moved" };
      // The range's last block kept its hash across the fetch, so every log came from that chain.
      if (!before || before.hash !== to.hash)
        return { type: "retry", reason: "chain moved during fetch" };
      for (const log of rawLogs) {
        if (blocks.get(BigInt(log.blockNumber))?.hash !== log.blockHash) {
          return { type: "retry", reason: "log from a replaced block" };
        }
      }

      for (const log of decoded) log.timestamp = BigInt(blocks.get(log.blockNumber)!.timestamp);
      const logs = decoded.sort((a, b) =>
        a.blockNumber === b.blockNumber
          ? a.logIndex - b.logIndex
          : a.blockNumber < b.blockNumber
            ? -1
            : 1,
      );
      keep = true;
      return {
        type: "fetched",
        fetched: {
          fromBlock,
          toBlock,
          first,
          to,
          logs,
          blocks,
          replied: rawLogs.length,
          discovered,
        },
      };
    } finally {
      if (!keep) forget(discovered);
    }
  }

  return {
    init,
    step,
    async syncToHead() {
      for (;;) {
        const result = await step();
        if (result.type === "caught-up") return;
      }
    },
    async run(signal) {
      let wasReady = false;
      let failures = 0;
      while (!signal.aborted) {
        try {
          const result = await step();
          if (ready && !wasReady) {
            wasReady = true;
            logger.info({ block_number: Number(checkpoint.number) }, "caught up");
          }
          if (result.type === "caught-up") await sleep(config.pollIntervalMs, signal);
        } catch (error) {
          if (error instanceof AbortedError || signal.aborted) return;
          if (!isTransient(error)) throw error;
          failures++;
          const delayMs = Math.min(60_000, 500 * 2 ** Math.min(failures, 7));
          logger.error({ err: error, retry_in_ms: delayMs }, "sync step failed, retrying");
          await sleep(delayMs, signal).catch(() => undefined);
          continue;
        }
        failures = 0;
      }
    },
    status: () => ({ ready, indexedBlock: checkpoint.number, headBlock }),
  };
}

/**
 * Network and connection failures (the provider or the database went away) are worth waiting
 * out; anything else (a constraint violation, bad SQL, a decode error) is a bug and stops.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof SyncFatalError) return false;
  if (error instanceof RpcError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (/^(08|57P|53)/.test(code)) return true;
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|AI_AGAIN)|^ENOTFOUND$/.test(code)) return true;
  }
  return error instanceof TypeError && /fetch failed/.test(error.message);
}
