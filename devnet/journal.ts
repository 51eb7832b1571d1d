import fs from "node:fs";
import path from "node:path";
import { Transaction } from "ethers";
import { rpc } from "./node";

/**
 * The local chain lives in the memory of `hardhat node` and is gone when it stops. The journal
 * keeps every block's timestamp and signed transactions in `.data/chain/journal.jsonl`, so that
 * the next `npm start` replays them into a new node: same transactions, same timestamps, same
 * genesis, hence the same state and the same block hashes, and the indexer resumes from its
 * checkpoint instead of starting over.
 */
interface JournalBlock {
  number: number;
  hash: string;
  timestamp: string;
  transactions: string[];
}

interface RpcTransaction {
  hash: string;
  type: string;
  chainId: string;
  nonce: string;
  to: string | null;
  input: string;
  value: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  accessList?: { address: string; storageKeys: string[] }[];
  r: string;
  s: string;
  v: string;
  yParity?: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: RpcTransaction[];
}

/** Rebuilds the signed raw transaction a node returned, and checks it hashes to the same id. */
function rawTransaction(tx: RpcTransaction): string {
  const type = Number(tx.type);
  const rebuilt = Transaction.from({
    type,
    chainId: BigInt(tx.chainId),
    nonce: Number(tx.nonce),
    to: tx.to,
    data: tx.input,
    value: BigInt(tx.value),
    gasLimit: BigInt(tx.gas),
    ...(type === 2
      ? {
          maxFeePerGas: BigInt(tx.maxFeePerGas!),
          maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!),
        }
      : { gasPrice: BigInt(tx.gasPrice!) }),
    ...(type >= 1 ? { accessList: tx.accessList ?? [] } : {}),
    signature: {
      r: tx.r,
      s: tx.s,
      v: tx.yParity !== undefined ? 27 + Number(tx.yParity) : Number(tx.v),
    },
  });
  if (rebuilt.hash !== tx.hash)
    throw new Error(`cannot rebuild transaction ${tx.hash} for the chain journal`);
  return rebuilt.serialized;
}

export class ChainJournal {
  private readonly file: string;
  /** The last block the file holds, once read. */
  private head: number | undefined;
  private recording: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(dir: string) {
    this.file = path.join(dir, "journal.jsonl");
  }

  /** Where the journal lives. */
  get path(): string {
    return this.file;
  }

  /** True once the file holds its header (the genesis hash). */
  exists(): boolean {
    if (!fs.existsSync(this.file)) return false;
    return fs.readFileSync(this.file, "utf8").includes("\n");
  }

  /**
   * Reads every complete line. A line without its newline is the end of an append cut short
   * (the process died inside it): it is cut off the file, and the block it held is appended
   * again by the next record, which starts after the last complete line.
   */
  private read(): { genesis: string; blocks: JournalBlock[] } {
    const text = fs.readFileSync(this.file, "utf8");
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length < text.length) fs.truncateSync(this.file, Buffer.byteLength(complete));
    const [header, ...lines] = complete.split("\n").filter(Boolean);
    return {
      genesis: (JSON.parse(header) as { genesis: string }).genesis,
      blocks: lines.map((line) => JSON.parse(line) as JournalBlock),
    };
  }

  /**
   * Appends every block the node has mined since the last record; resolves with the head it
   * recorded. Calls never run at once (they would append the same blocks twice): a call made
   * while one runs waits for the next one, which starts when that one ends, so what it resolves
   * with covers every block mined before the call.
   */
  record(url: string): Promise<number> {
    if (!this.recording) return this.startRecord(url);
    this.queued ??= this.recording
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.startRecord(url);
      });
    return this.queued;
  }

  private startRecord(url: string): Promise<number> {
    const run = this.appendNewBlocks(url);
    this.recording = run;
    const clear = () => {
      if (this.recording === run) this.recording = null;
    };
    run.then(clear, clear);
    return run;
  }

  private async appendNewBlocks(url: string): Promise<number> {
    if (this.head === undefined) {
      if (this.exists()) {
        const { blocks } = this.read();
        this.head = blocks.length === 0 ? 0 : blocks[blocks.length - 1].number;
      } else {
        const genesis = await rpc<RpcBlock>(url, "eth_getBlockByNumber", ["0x0", false]);
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.writeFileSync(this.file, JSON.stringify({ genesis: genesis.hash }) + "\n");
        this.head = 0;
      }
    }
    const head = Number(await rpc<string>(url, "eth_blockNumber"));
    const lines: string[] = [];
    for (let n = this.head + 1; n <= head; n++) {
      const block = await rpc<RpcBlock>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, true]);
      const entry: JournalBlock = {
        number: n,
        hash: block.hash,
        timestamp: block.timestamp,
        transactions: block.transactions.map(rawTransaction),
      };
      lines.push(JSON.stringify(entry) + "\n");
    }
    // One append per call: a crash leaves these lines whole, or a last one cut short (read()
    // drops it).
    if (lines.length > 0) fs.appendFileSync(this.file, lines.join(""));
    this.head = Math.max(this.head, head);
    return this.head;
  }

  /** Replays the journal into a fresh node and checks every block hash. Returns the head. */
  async replay(url: string): Promise<number> {
    const { genesis, blocks } = this.read();
    const actualGenesis = await rpc<RpcBlock>(url, "eth_getBlockByNumber", ["0x0", false]);
    if (actualGenesis.hash !== genesis) {
      throw new Error(
        `the chain journal in ${path.dirname(this.file)} starts from another genesis block; ` +
          `remove the folder .data to start a new local chain`,
      );
    }
    await rpc(url, "evm_setAutomine", [false]);
    try {
      for (const block of blocks) {
        for (const raw of block.transactions) await rpc(url, "eth_sendRawTransaction", [raw]);
        await rpc(url, "evm_setNextBlockTimestamp", [block.timestamp]);
        await rpc(url, "evm_mine", []);
        const mined = await rpc<RpcBlock>(url, "eth_getBlockByNumber", [
          `0x${block.number.toString(16)}`,
          false,
        ]);
        if (mined.hash !== block.hash) {
          throw new Error(
            `replayed block ${block.number} hashes to ${mined.hash}, the journal says ${block.hash}`,
          );
        }
      }
    } finally {
      await rpc(url, "evm_setAutomine", [true]);
    }
    this.head = blocks.length === 0 ? 0 : blocks[blocks.length - 1].number;
    return this.head;
  }
}
