import pg from "pg";
import type { Logger } from "pino";
import { EVENTS_CHANNEL, type CommittedEvent } from "../db/notify";
import type { Db } from "./database";
import type { Row } from "./entity";

/**
 * The clock of a delivery: the timestamps of the synced heads at its `fromBlock` and `toBlock`
 * ("now" before and after it, see NOW_SQL), null where the checkpoint holds none. A row whose
 * state depends on time alone (a proposal whose vote ends) changes within it.
 */
export interface LiveClock {
  fromTimestamp: string | null;
  toTimestamp: string | null;
}

/**
 * A stream of rows a subscription can follow: `fetch` reads the rows indexed in blocks
 * `(fromBlock, toBlock]`, in chain order. Posts are one feed; trades and tips add theirs.
 */
export interface LiveFeed {
  name: string;
  fetch(db: Db, fromBlock: string, toBlock: string, clock: LiveClock): Promise<Row[]>;
  /**
   * Rows that appear without a block of their own, when the content resolver stores a document
   * (a mention in a post): those resolved at database times `(sinceMs, untilMs]` (ms since the
   * epoch), each with a key that names it and its time. The hub asks with windows that overlap
   * by RESOLVED_OVERLAP_MS and delivers each key once.
   */
  fetchResolved?(
    db: Db,
    sinceMs: number,
    untilMs: number,
  ): Promise<{ key: string; atMs: number; row: Row }[]>;
}

/**
 * How far each look for resolved rows reaches back before the previous one ended: a resolution
 * stamped (at its statement's start) before a look but committed after it is still found, if it
 * committed within this time.
 */
export const RESOLVED_OVERLAP_MS = 10_000;

export interface LiveHub {
  /** Rows of `feed` that pass `accept`, from now on, until the consumer returns. */
  subscribe(feed: string, accept: (row: Row) => boolean): AsyncIterableIterator<Row>;
  /** How many subscriptions follow `feed` now. */
  subscribers(feed: string): number;
  /** Reads the checkpoint and delivers what was indexed since the last delivery. */
  wake(): Promise<void>;
  close(): Promise<void>;
}

export interface LiveHubParams {
  /** Database URL for the LISTEN connection. */
  url: string;
  /** Pool the feeds read through. */
  pool: pg.Pool;
  feeds: readonly LiveFeed[];
  logger: Logger;
  /** Also wake this often, in case a notification was lost; 0: only on notifications. */
  fallbackPollMs: number;
  /** A subscriber whose backlog grows beyond this is ended. */
  maxBacklog?: number;
  /**
   * How often to wake on a hot-standby replica, which cannot LISTEN (a notification would come
   * from the primary before the replica replays the commit anyway): default 500 ms.
   */
  replicaPollMs?: number;
}

interface Subscriber {
  accept: (row: Row) => boolean;
  push(row: Row): void;
  /** Ends the subscriber's stream. */
  end(): void;
}

/**
 * Live updates from Postgres LISTEN/NOTIFY (on a hot-standby replica, which cannot LISTEN, from
 * polling the checkpoint every `replicaPollMs`). The sync notifies EVENTS_CHANNEL in the transaction
 * that moves the checkpoint, so a wake-up arrives as soon as a batch commits, and costs nothing
 * while the chain is idle. The notification only wakes the hub: it re-reads the checkpoint and
 * fetches each subscribed feed once for all its subscribers, over the blocks it has not
 * delivered yet, so a lost or coalesced notification delays rows but never drops them. Only a
 * reorg notification's payload is read (see `rewind`).
 */
export async function startLiveHub(params: LiveHubParams): Promise<LiveHub> {
  const { logger } = params;
  const maxBacklog = params.maxBacklog ?? 10_000;
  const db: Db = {
    query: async (sql, values) => (await params.pool.query(sql, values as unknown[])).rows,
  };
  const feeds = new Map(params.feeds.map((feed) => [feed.name, feed]));
  const subscribers = new Map<string, Set<Subscriber>>(
    params.feeds.map((feed) => [feed.name, new Set()]),
  );

  const readCheckpoint = async (): Promise<{ block: bigint; timestamp: string | null } | null> => {
    const rows = await db.query<{ block_number: string; block_timestamp: string | null }>(
      "SELECT block_number, block_timestamp::text FROM sync_checkpoint WHERE id = 1",
    );
    return rows.length === 0
      ? null
      : { block: BigInt(rows[0].block_number), timestamp: rows[0].block_timestamp };
  };

  const start = await readCheckpoint();
  let delivered: bigint | null = start?.block ?? null;
  /** "Now" as of the last delivery: a reorg's rewind keeps it, so no clock change repeats. */
  let deliveredTimestamp: string | null = start?.timestamp ?? null;
  const databaseNowMs = async (): Promise<number> => {
    const rows = await db.query<{ ms: number }>(
      "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms",
    );
    return rows[0].ms;
  };
  let resolvedUntil = await databaseNowMs();
  /** Keys of resolved rows delivered, with their times, kept while a look may find them again. */
  const resolvedDelivered = new Map<string, number>();
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;
  /** Lowest common ancestor announced since the last delivery started. */
  let rewindTo: bigint | null = null;

  async function deliverResolved(): Promise<void> {
    const resolving = params.feeds.filter(
      (feed) => feed.fetchResolved && subscribers.get(feed.name)!.size > 0,
    );
    const until = await databaseNowMs();
    const since = resolvedUntil - RESOLVED_OVERLAP_MS;
    for (const feed of resolving) {
      const listeners = subscribers.get(feed.name)!;
      for (const { key, atMs, row } of await feed.fetchResolved!(db, since, until)) {
        if (resolvedDelivered.has(key)) continue;
        resolvedDelivered.set(key, atMs);
        for (const listener of listeners) if (listener.accept(row)) listener.push(row);
      }
    }
    resolvedUntil = until;
    for (const [key, atMs] of resolvedDelivered) {
      if (atMs <= until - RESOLVED_OVERLAP_MS) resolvedDelivered.delete(key);
    }
  }

  async function deliver(): Promise<void> {
    await deliverBlocks();
    await deliverResolved();
  }

  async function deliverBlocks(): Promise<void> {
    if (rewindTo !== null) {
      if (delivered !== null && rewindTo < delivered) delivered = rewindTo;
      rewindTo = null;
    }
    const head = await readCheckpoint();
    if (head === null) return;
    const checkpoint = head.block;
    if (delivered !== null && checkpoint <= delivered) {
      // Equal: nothing new. Lower: a reorg rolled back; re-indexed blocks are delivered again.
      delivered = checkpoint;
      return;
    }
    const from = delivered ?? -1n;
    const clock: LiveClock = { fromTimestamp: deliveredTimestamp, toTimestamp: head.timestamp };
    for (const [name, feed] of feeds) {
      const listeners = subscribers.get(name)!;
      if (listeners.size === 0) continue;
      const rows = await feed.fetch(db, from.toString(), checkpoint.toString(), clock);
      for (const row of rows)
        for (const listener of listeners) if (listener.accept(row)) listener.push(row);
    }
    delivered = checkpoint;
    if (head.timestamp !== null) deliveredTimestamp = head.timestamp;
  }

  /**
   * A reorg announces its common ancestor: blocks above it are delivered again once
   * re-indexed, even if the checkpoint is back above the last delivery by the time we look.
   */
  function rewind(payload: string | undefined): void {
    let event: Partial<CommittedEvent>;
    try {
      event = JSON.parse(payload ?? "") as Partial<CommittedEvent>;
    } catch {
      return;
    }
    if (event.type !== "reorg" || typeof event.commonAncestor !== "string") return;
    const ancestor = BigInt(event.commonAncestor);
    if (rewindTo === null || ancestor < rewindTo) rewindTo = ancestor;
  }

  function wake(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await deliver();
        } catch (error) {
          logger.error({ err: error }, "live update delivery failed");
        }
      } while (again && !closed);
      running = null;
    })();
    return running;
  }

  let listener: pg.Client | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  async function listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: params.url,
      application_name: "agora-api-listen",
    });
    client.on("notification", (message) => {
      rewind(message.payload);
      void wake();
    });
    client.on("error", (error) => {
      logger.warn({ err: error }, "live update connection lost, reconnecting");
      client.end().catch(() => undefined);
      if (listener === client) listener = null;
      scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    listener = client;
  }
  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      listen().then(
        () => wake(),
        (error) => {
          logger.warn({ err: error }, "live update connection failed, retrying");
          scheduleReconnect();
        },
      );
    }, 1_000);
  }
  const { rows: recovery } = await params.pool.query<{ standby: boolean }>(
    "SELECT pg_is_in_recovery() AS standby",
  );
  const standby = recovery[0].standby;
  if (!standby) await listen();
  else logger.info("the database is a hot standby: live updates poll its checkpoint");
  const pollMs = standby ? (params.replicaPollMs ?? 500) : params.fallbackPollMs;
  const poll = pollMs > 0 ? setInterval(() => void wake(), pollMs) : null;

  return {
    subscribe(feed, accept) {
      const listeners = subscribers.get(feed);
      if (!listeners || !feeds.has(feed)) throw new Error(`no live feed named ${feed}`);
      const queue: Row[] = [];
      let waiting: ((result: IteratorResult<Row>) => void) | null = null;
      let done = false;
      const finish = () => {
        done = true;
        listeners.delete(subscriber);
        waiting?.({ value: undefined, done: true });
        waiting = null;
      };
      const subscriber: Subscriber = {
        accept,
        end: finish,
        push(row) {
          if (waiting) {
            waiting({ value: row, done: false });
            waiting = null;
          } else if (queue.length < maxBacklog) {
            queue.push(row);
          } else {
            logger.warn({ feed, backlog: queue.length }, "slow live subscriber ended");
            finish();
          }
        },
      };
      listeners.add(subscriber);
      const iterator: AsyncIterableIterator<Row> = {
        next() {
          if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => (waiting = resolve));
        },
        return() {
          finish();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    subscribers: (feed) => subscribers.get(feed)?.size ?? 0,
    wake,
    async close() {
      closed = true;
      if (poll) clearInterval(poll);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const listeners of subscribers.values())
        for (const subscriber of [...listeners]) subscriber.end();
      await running;
      await listener?.end();
    },
  };
}
