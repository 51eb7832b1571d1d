import type pg from "pg";
import type { Logger } from "pino";
import { toEventSelector, type AbiEvent } from "viem";
import type { IndexerConfig } from "../config";
import { inTransaction } from "../db/database";
import { isDatabaseUnavailable } from "../db/errors";
import { notifyCommitted } from "../db/notify";
import type { ChildContracts, Handler } from "../handlers/types";
import type { Metrics } from "../metrics";
import { backoffDelay } from "./backoff";
import { bloomBits, bloomHas, parseBloom, type BloomBits } from "./bloom";
import { createLogDecoder, DecodeError, type DecodedLog } from "./decode";
import type { Health } from "./health";
import {
  AbortedError,
  RangeTooLargeError,
  RpcFaultError,
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
  /**
   * Steps until `signal` aborts, sleeping between polls once caught up. A step that fails on
   * the provider or the database is retried, with capped exponential backoff and full jitter,
   * for as long as it takes; only a SyncFatalError or a bug ends it.
   */
  run(signal: AbortSignal): Promise<void>;
  /** The last indexed block, and the head the provider last reported (null before the first). */
  status(): { indexedBlock: bigint; headBlock: bigint | null };
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
  /** Receives the outcome of every step ("sync"). */
  health?: Health;
}

interface Checkpoint {
  number: bigint;
  /** Null before the first block when indexing starts at genesis. */
  hash: string | null;
  /** The block's timestamp, the API's "now"; null when not known (before genesis). */
  timestamp?: bigint | null;
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
 * chain like any other (its last block's hash across the fetch, every log's block hash, the
 * blocks' logsBloom), and whether it continues the checkpoint is checked only when it is
 * written; if a step fails or starts elsewhere (a reorg, caught up), it is cancelled.
 *
 * A provider is not trusted to be complete: eth_getLogs from a node that has not processed a
 * block yet (one behind a load balancer) answers as if the block had no logs. Every block
 * header read for a range (all of them within `bloomCheckDepth` of the head; deeper, the
 * first, the last and those with logs) has its logsBloom compared with the logs returned
 * (`checkBlooms`); a block they disagree on is read again by block hash, and the range is
 * refused and retried if that shows logs it left out.
 */
export function createSync(params: CreateSyncParams): Sync {
  const { config, pool, rpc, logger, metrics, health } = params;
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
  const blooms = createBloomWatch();
  /** Topics of the indexed events of a static contract, or of a factory's children. */
  const topicsOf = new Map<string | ChildContracts, readonly string[]>();
  const selectors = (events: readonly AbiEvent[]) => events.map((e) => toEventSelector(e));
  for (const c of contracts) topicsOf.set(c.address, selectors(c.events));
  const staticWatched = contracts.map((c) => ({
    address: c.address,
    topics: topicsOf.get(c.address)!,
  }));
  for (const handler of factories) {
    topicsOf.set(handler.children, selectors(handler.children.events));
  }

  let checkpoint: Checkpoint = { number: startBlock - 1n, hash: null };
  let range = BigInt(config.initialBlockRange);
  let headBlock: bigint | null = null;

  async function header(number: bigint, signal?: AbortSignal): Promise<RpcBlock | null> {
    return rpc.request<RpcBlock | null>("eth_getBlockByNumber", [hex(number), false], { signal });
  }

  async function headers(
    numbers: bigint[],
    signal?: AbortSignal,
  ): Promise<Map<bigint, RpcBlock | null>> {
    const unique = [...new Set(numbers)];
    const found = new Map<bigint, RpcBlock | null>();
    // Providers cap the size of a JSON-RPC batch; 100 calls is below every known cap.
    for (let i = 0; i < unique.length; i += 100) {
      const chunk = unique.slice(i, i + 100);
      const replies = await rpc.batch<RpcBlock | null>(
        chunk.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
        { signal },
      );
      chunk.forEach((n, j) => {
        const block = replies[j];
        if (block !== null && BigInt(block.number) !== n) {
          throw new RpcFaultError(
            "inconsistent",
            "eth_getBlockByNumber",
            `asked for block ${n}, got block ${BigInt(block.number)}`,
          );
        }
        found.set(n, block);
      });
    }
    return found;
  }

  /**
   * The fault for a block the provider does not have although its head (`head`) is at or above
   * it: a node behind the others, or a chain that shortened since; either way, retry later.
   */
  function missingBlock(number: bigint, head: bigint): RpcFaultError {
    return new RpcFaultError(
      "inconsistent",
      "eth_getBlockByNumber",
      `block ${number} is missing although the head is ${head}`,
    );
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
      let timestamp: string | null = null;
      if (startBlock > 0n) {
        const parent = await header(startBlock - 1n);
        // A node that has not reached the deployment yet: wait for it like for any other fault.
        if (!parent) {
          throw new RpcFaultError(
            "inconsistent",
            "eth_getBlockByNumber",
            `block ${startBlock - 1n} (before the deployment) is not on chain ${chainId} yet`,
          );
        }
        hash = parent.hash;
        timestamp = BigInt(parent.timestamp).toString();
      }
      checkpoint = { number: startBlock - 1n, hash };
      await inTransaction(pool, async (client) => {
        await client.query(
          "INSERT INTO sync_checkpoint (id, chain_id, contracts, block_number, block_hash, block_timestamp) VALUES (1, $1, $2, $3, $4, $5)",
          [chainId, fingerprint, checkpoint.number.toString(), hash ?? "", timestamp],
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

  /**
   * Whether the block the checkpoint names is still on the chain whose head is `head`. A
   * checkpoint above the head is not (the chain is shorter); a missing block at or below the
   * head is a provider fault, never a reason to roll back.
   */
  async function checkpointOnChain(head: bigint): Promise<boolean> {
    if (checkpoint.hash === null) return true;
    if (checkpoint.number > head) return false;
    const block = await header(checkpoint.number);
    if (!block) throw missingBlock(checkpoint.number, head);
    return block.hash === checkpoint.hash;
  }

  /** Whether `first` (the block after the checkpoint) builds on the checkpoint block. */
  async function continuesCheckpoint(first: RpcBlock, head: bigint): Promise<boolean> {
    if (checkpoint.hash === null) return true;
    // Blocks made by hardhat_mine carry a zero parentHash: compare the checkpoint block's own
    // hash instead of trusting or rejecting the zero.
    if (first.parentHash === ZERO_HASH) return checkpointOnChain(head);
    return first.parentHash === checkpoint.hash;
  }

  /**
   * The provider's head is below the indexed block. Either the chain was replaced by a shorter
   * one, or the node answering is behind the one that served the indexed blocks (a load
   * balancer, a failover). The hashes the database knows at or below that head tell them
   * apart: one that differs is a reorg, rolled back at once; if all agree, nothing shows a
   * reorg, and the step waits for the provider to catch up (a shorter chain that differs only
   * in blocks without events is noticed once it grows past the indexed block).
   */
  async function behindHead(head: bigint): Promise<SyncStep> {
    const known = await pool.query<{ number: string; hash: string }>(
      `SELECT number::text, hash FROM (
         SELECT number, hash FROM sync_blocks WHERE number <= $1
         UNION SELECT number, hash FROM blocks WHERE number <= $1 AND number > $2
       ) known ORDER BY number DESC LIMIT 100`,
      [head.toString(), (checkpoint.number - BigInt(config.maxReorgDepth)).toString()],
    );
    const onChain = await headers(known.rows.map((row) => BigInt(row.number)));
    for (const row of known.rows) {
      const block = onChain.get(BigInt(row.number));
      if (!block) throw missingBlock(BigInt(row.number), head);
      if (block.hash !== row.hash) return rollBack(head);
    }
    throw new RpcFaultError(
      "inconsistent",
      "eth_blockNumber",
      `the provider's head ${head} is below the indexed block ${checkpoint.number}`,
    );
  }

  async function findCommonAncestor(head: bigint): Promise<Checkpoint> {
    const stored = await pool.query<{ number: string; hash: string }>(
      "SELECT number::text, hash FROM sync_blocks WHERE number <= $1 ORDER BY number DESC",
      [checkpoint.number.toString()],
    );
    const candidates = stored.rows.map((row) => ({ number: BigInt(row.number), hash: row.hash }));
    for (let i = 0; i < candidates.length; i += 20) {
      // Blocks above the head are not on the (shorter) chain: they cannot be the ancestor.
      const chunk = candidates.slice(i, i + 20).filter((c) => c.number <= head);
      const onChain = await headers(chunk.map((c) => c.number));
      for (const candidate of chunk) {
        const block = onChain.get(candidate.number);
        if (!block) throw missingBlock(candidate.number, head);
        if (block.hash === candidate.hash)
          return { ...candidate, timestamp: BigInt(block.timestamp) };
      }
    }
    if (startBlock === 0n) return { number: -1n, hash: null };
    throw new SyncFatalError(
      `chain reorganised below block ${candidates.at(-1)?.number ?? checkpoint.number}, deeper than MAX_REORG_DEPTH (${config.maxReorgDepth}); raise it and re-index into an empty database`,
    );
  }

  async function rollBack(head: bigint): Promise<SyncStep> {
    const ancestor = await findCommonAncestor(head);
    const rolledBack = checkpoint.number - ancestor.number;
    await inTransaction(pool, async (client) => {
      for (const handler of [...deployed].reverse())
        await handler.rollback(client, ancestor.number);
      await client.query("DELETE FROM blocks WHERE number > $1", [ancestor.number.toString()]);
      await client.query("DELETE FROM sync_blocks WHERE number > $1", [ancestor.number.toString()]);
      await client.query(
        "UPDATE sync_checkpoint SET block_number = $1, block_hash = $2, block_timestamp = $3 WHERE id = 1",
        [ancestor.number.toString(), ancestor.hash ?? "", ancestor.timestamp?.toString() ?? null],
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
    const writeStarted = performance.now();
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
      // Every header the sync reads is a tick of the clock, events or not: the API's "now".
      await client.query(
        "UPDATE sync_checkpoint SET block_number = $1, block_hash = $2, block_timestamp = $3 WHERE id = 1",
        [toBlock.toString(), to.hash, BigInt(to.timestamp).toString()],
      );
      // A range without events still moves the clock, which a proposal's voting follows.
      await notifyCommitted(client, {
        type: "batch",
        fromBlock: fromBlock.toString(),
        toBlock: toBlock.toString(),
        events: logs.length,
      });
    });
    metrics.observeWrite((performance.now() - writeStarted) / 1000);
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
    /** The chain changed during the fetch: fetch again. */
    | { type: "retry"; reason: string };

  /** The next range, fetched while the previous one is written. */
  let prefetch: {
    fromBlock: bigint;
    toBlock: bigint;
    outcome: Promise<FetchOutcome>;
    cancel: AbortController;
  } | null = null;
  /** A step failed, so whether its write committed is unknown until the database is read. */
  let checkpointInDoubt = false;

  /** Removes the decoder routes of children that were found but never written. */
  function forget(discovered: Map<string, ChildContracts>): void {
    for (const address of discovered.keys()) {
      if (!children.has(address)) decode.removeAddress(address);
    }
  }

  /**
   * The prefetched outcome if it covers `fromBlock` onwards and ends by `safe`. Any other
   * prefetch is cancelled and, once settled, dropped; null is returned.
   */
  async function takePrefetch(
    fromBlock: bigint | null,
    safe: bigint,
  ): Promise<FetchOutcome | null> {
    const taken = prefetch;
    prefetch = null;
    if (!taken) return null;
    if (taken.fromBlock === fromBlock && taken.toBlock <= safe) return taken.outcome;
    taken.cancel.abort();
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
    metrics.indexedBlock.set(Number(checkpoint.number));
    await loadChildren();
  }

  async function step(): Promise<SyncStep> {
    try {
      if (checkpointInDoubt) {
        await reloadCheckpoint();
        checkpointInDoubt = false;
      }
      return await advance();
    } catch (error) {
      // Whatever failed (the provider, the database), the write or rollback in flight may or
      // may not have committed, and a range fetched ahead may no longer fit.
      checkpointInDoubt = true;
      await takePrefetch(null, -1n);
      throw error;
    }
  }

  async function advance(): Promise<SyncStep> {
    const head = BigInt(await rpc.request<string>("eth_blockNumber", []));
    headBlock = head;
    metrics.headBlock.set(Number(head));
    const safe = head - BigInt(config.confirmations);
    if (safe <= checkpoint.number) {
      await takePrefetch(null, safe);
      if (head < checkpoint.number && checkpoint.hash !== null) return behindHead(head);
      if (!(await checkpointOnChain(head))) return rollBack(head);
      return { type: "caught-up", block: checkpoint.number };
    }
    const fromBlock = checkpoint.number + 1n;
    let outcome: FetchOutcome;
    let toBlock = fromBlock + range - 1n < safe ? fromBlock + range - 1n : safe;
    try {
      outcome =
        (await takePrefetch(fromBlock, safe)) ??
        (await fetchRange(fromBlock, toBlock, head, new Map()));
    } catch (error) {
      if (
        error instanceof RpcFaultError &&
        error.fault === "timeout" &&
        error.method === "eth_getLogs" &&
        range > 1n
      ) {
        // A provider may take too long on a wide range as well as hang: try a narrower one.
        range /= 2n;
      }
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
        throw new RpcFaultError(
          "rpc-error",
          "eth_getLogs",
          `the provider refuses eth_getLogs even for block ${refused.fromBlock} alone (${error.message}); if this lasts, use an RPC_URL without that limit`,
        );
      }
      return { type: "retry", reason: "range refused" };
    }
    if (outcome.type === "retry") return outcome;
    if (!(await continuesCheckpoint(outcome.fetched.first, head))) {
      forget(outcome.fetched.discovered);
      if (!(await checkpointOnChain(head))) return rollBack(head);
      return { type: "retry", reason: "chain moved during fetch" };
    }
    const fetched = outcome.fetched;
    toBlock = fetched.toBlock;

    range = nextRange(fetched);
    // Fetch the next range while this one is written: the node and the database work at once.
    if (toBlock < safe) {
      const nextFrom = toBlock + 1n;
      const nextTo = nextFrom + range - 1n < safe ? nextFrom + range - 1n : safe;
      const cancel = new AbortController();
      const outcome = fetchRange(nextFrom, nextTo, head, fetched.discovered, cancel.signal);
      // Settled by the next step, or by takePrefetch when that step starts elsewhere.
      outcome.catch(() => undefined);
      prefetch = { fromBlock: nextFrom, toBlock: nextTo, outcome, cancel };
    }
    try {
      await write(fromBlock, fetched.to, fetched.logs, fetched.blocks);
    } catch (error) {
      forget(fetched.discovered);
      throw error;
    }
    for (const [address, declaration] of fetched.discovered) children.set(address, declaration);
    logger.info(
      {
        from_block: Number(fromBlock),
        to_block: Number(toBlock),
        events: fetched.logs.length,
        head_block: Number(head),
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

  const getLogs = (fromBlock: bigint, toBlock: bigint, address: string[], signal?: AbortSignal) =>
    rpc.request<RpcLog[]>(
      "eth_getLogs",
      [{ fromBlock: hex(fromBlock), toBlock: hex(toBlock), address }],
      { signal },
    );

  /** Decodes logs the provider returned; a log that does not fit its event is a provider fault. */
  function decodeReply(logs: RpcLog[]): DecodedLog[] {
    try {
      // Timestamps are filled in once the blocks are known.
      return decode(logs, () => 0n);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      throw new RpcFaultError("bad-result", "eth_getLogs", `undecodable log: ${error.message}`);
    }
  }

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
   * (its last block kept its hash across the fetch, every log's block hash matches) and that
   * no block's logsBloom shows logs the replies left out; whether it continues the checkpoint
   * is for the caller to check when it writes it. A refused range throws RangeTooLargeError
   * carrying the range; a provider fault throws RpcFaultError.
   */
  async function fetchRange(
    fromBlock: bigint,
    toBlock: bigint,
    head: bigint,
    pending: Map<string, ChildContracts>,
    signal?: AbortSignal,
  ): Promise<FetchOutcome> {
    const discovered = new Map<string, ChildContracts>();
    let keep = false;
    try {
      const before = await header(toBlock, signal);
      if (!before) throw missingBlock(toBlock, head);
      let rawLogs: RpcLog[];
      let decoded: DecodedLog[];
      /** Each eth_getLogs of the range: whose logs it asked for, and its reply. */
      const replies: LogReply[] = [];
      try {
        rawLogs = await getLogs(fromBlock, toBlock, addresses, signal);
        replies.push({ watched: staticWatched, logs: rawLogs });
        decoded = decodeReply(rawLogs);
        discoverChildren(decoded, pending, discovered);
        const childWatched = [children, pending, discovered].flatMap((known) =>
          [...known].map(([address, declaration]) => ({
            address,
            topics: topicsOf.get(declaration)!,
          })),
        );
        if (childWatched.length > 0) {
          const childAddresses = childWatched.map((watched) => watched.address);
          const childLogs = await getLogs(fromBlock, toBlock, childAddresses, signal);
          replies.push({ watched: childWatched, logs: childLogs });
          rawLogs = rawLogs.concat(childLogs);
          decoded = decoded.concat(decodeReply(childLogs));
        }
      } catch (error) {
        if (error instanceof RangeTooLargeError) error.range = { fromBlock, toBlock };
        throw error;
      }
      const askedSet = new Set(replies.flatMap((reply) => reply.watched.map((w) => w.address)));
      for (const log of rawLogs) {
        const number = BigInt(log.blockNumber);
        if (number < fromBlock || number > toBlock || !askedSet.has(log.address.toLowerCase())) {
          throw new RpcFaultError(
            "inconsistent",
            "eth_getLogs",
            `returned a log of ${log.address} in block ${number}, outside the query`,
          );
        }
      }

      const logBlocks = rawLogs.map((log) => BigInt(log.blockNumber));
      const checkFrom = head - BigInt(config.bloomCheckDepth) + 1n;
      const everyBlock: bigint[] = [];
      for (let n = fromBlock > checkFrom ? fromBlock : checkFrom; n <= toBlock; n++) {
        everyBlock.push(n);
      }
      const blocks = await headers([fromBlock, toBlock, ...logBlocks, ...everyBlock], signal);
      for (const [number, block] of blocks) if (!block) throw missingBlock(number, head);
      const first = blocks.get(fromBlock)!;
      const to = blocks.get(toBlock)!;
      // The range's last block kept its hash across the fetch, so every log came from that chain.
      if (before.hash !== to.hash) return { type: "retry", reason: "chain moved during fetch" };
      for (const log of rawLogs) {
        if (blocks.get(BigInt(log.blockNumber))!.hash !== log.blockHash) {
          return { type: "retry", reason: "log from a replaced block" };
        }
      }
      await checkBlooms(blocks, replies, signal);

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
          blocks: blocks as Map<bigint, RpcBlock | null>,
          replied: rawLogs.length,
          discovered,
        },
      };
    } finally {
      if (!keep) forget(discovered);
    }
  }

  /**
   * Compares every header in `blocks` with the eth_getLogs `replies` of the range. A node has
   * all of a block's logs or none (it has processed the block or not), so a block that a reply
   * holds logs of was known to the node that answered it. A block that a reply holds no log of,
   * while its logsBloom shows an address of that reply's query together with the topic of one
   * of its indexed events, is suspicious: it is read again by block hash (one batch), which a
   * node answers only if it has the block. A reply by hash with logs the range left out
   * refuses the range (RpcFaultError "inconsistent"); one equal to the range's logs of that
   * block (empty) shows the bloom matched by chance, and the block is accepted.
   */
  async function checkBlooms(
    blocks: Map<bigint, RpcBlock | null>,
    replies: readonly LogReply[],
    signal?: AbortSignal,
  ): Promise<void> {
    const blocksOf = replies.map(
      (reply) => new Set(reply.logs.map((log) => BigInt(log.blockNumber))),
    );
    const suspicious: RpcBlock[] = [];
    for (const [number, block] of blocks) {
      const bloom = parseBloom(block!.logsBloom);
      const shows = replies.some(
        (reply, i) => !blocksOf[i].has(number) && blooms.shows(bloom, reply.watched),
      );
      if (shows) suspicious.push(block!);
    }
    if (suspicious.length === 0) return;
    metrics.bloomRefetches.inc(suspicious.length);
    const asked = replies.flatMap((reply) => reply.watched.map((watched) => watched.address));
    const key = (log: RpcLog) => `${BigInt(log.logIndex)}:${log.transactionHash}`;
    const omitted: bigint[] = [];
    for (let i = 0; i < suspicious.length; i += 100) {
      const chunk = suspicious.slice(i, i + 100);
      const byHash = await rpc.batch<RpcLog[]>(
        chunk.map((block) => ({
          method: "eth_getLogs",
          params: [{ blockHash: block.hash, address: asked }],
        })),
        { signal },
      );
      chunk.forEach((block, j) => {
        const inRange = new Set(
          replies.flatMap((reply) =>
            reply.logs.filter((log) => BigInt(log.blockNumber) === BigInt(block.number)).map(key),
          ),
        );
        for (const log of byHash[j]) {
          if (log.blockHash !== block.hash) {
            throw new RpcFaultError(
              "inconsistent",
              "eth_getLogs",
              `a query by the hash of block ${BigInt(block.number)} returned a log of block ${log.blockHash}`,
            );
          }
        }
        if (byHash[j].length !== inRange.size || byHash[j].some((log) => !inRange.has(key(log)))) {
          omitted.push(BigInt(block.number));
        }
      });
    }
    if (omitted.length > 0) {
      metrics.incompleteRanges.inc();
      throw new RpcFaultError(
        "inconsistent",
        "eth_getLogs",
        `left out logs of block(s) ${omitted.slice(0, 5).join(", ")}${omitted.length > 5 ? ", ..." : ""} that their logsBloom shows and a query by block hash returns`,
      );
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
      let caughtUp = false;
      let failures = 0;
      const policy = { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs };
      while (!signal.aborted) {
        try {
          const result = await step();
          health?.report("sync", null);
          failures = 0;
          if (result.type === "caught-up") {
            if (!caughtUp) {
              caughtUp = true;
              logger.info({ block_number: Number(checkpoint.number) }, "caught up");
            }
            await sleep(config.pollIntervalMs, signal);
          }
        } catch (error) {
          if (error instanceof AbortedError || signal.aborted) return;
          if (!isRetryable(error)) throw error;
          health?.report("sync", error);
          const database = isDatabaseUnavailable(error);
          if (database) metrics.databaseErrors.inc();
          const delayMs = backoffDelay(
            policy,
            failures,
            error instanceof RpcFaultError ? error.retryAfterMs : undefined,
          );
          failures++;
          // The first failures of a run are routine (a restart, a rate limit); a run that
          // lasts is an outage someone should look at.
          logger[failures > 5 ? "error" : "warn"](
            {
              err: error,
              component: database ? "database" : "rpc",
              fault: error instanceof RpcFaultError ? error.fault : undefined,
              failures,
              retry_in_ms: delayMs,
            },
            "sync step failed, retrying",
          );
          await sleep(delayMs, signal).catch(() => undefined);
        }
      }
    },
    status: () => ({ indexedBlock: checkpoint.number, headBlock }),
  };
}

/** An address the sync asked logs of, and the topics of its indexed events. */
interface WatchedAddress {
  address: string;
  topics: readonly string[];
}

/** One eth_getLogs of a range: the addresses it asked for, and the logs it returned. */
interface LogReply {
  watched: readonly WatchedAddress[];
  logs: readonly RpcLog[];
}

/** Tells whether a block's logsBloom shows logs; the bits of every item are computed once. */
function createBloomWatch() {
  const bitsOf = new Map<string, BloomBits>();
  const bits = (item: string) => {
    let found = bitsOf.get(item);
    if (!found) {
      found = bloomBits(item);
      bitsOf.set(item, found);
    }
    return found;
  };
  return {
    /** Whether `bloom` holds a watched address together with the topic of one of its events. */
    shows(bloom: Uint8Array, watched: readonly WatchedAddress[]): boolean {
      return watched.some(
        ({ address, topics }) =>
          bloomHas(bloom, bits(address)) && topics.some((topic) => bloomHas(bloom, bits(topic))),
      );
    },
  };
}

/**
 * Faults of the provider (RpcFaultError: transport, HTTP, replies, contradictions) and of the
 * database (unreachable, restarting, connection lost) are worth waiting out; anything else (a
 * constraint violation, bad SQL, another chain's data, a reorg deeper than kept) is not.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SyncFatalError) return false;
  if (error instanceof RpcFaultError) return true;
  return isDatabaseUnavailable(error);
}
