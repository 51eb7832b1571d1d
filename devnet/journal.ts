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

  constructor(dir: string) {
    this.file = path.join(dir, "journal.jsonl");
  }

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  private read(): { genesis: string; blocks: JournalBlock[] } {
    const [header, ...lines] = fs.readFileSync(this.file, "utf8").split("\n").filter(Boolean);
    return {
      genesis: (JSON.parse(header) as { genesis: string }).genesis,
      blocks: lines.map((line) => JSON.parse(line) as JournalBlock),
    };
  }

  /** Appends every block the node mined since the last record. */
  async record(url: string): Promise<number> {
    if (!this.exists()) {
      const genesis = await rpc<RpcBlock>(url, "eth_getBlockByNumber", ["0x0", false]);
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, JSON.stringify({ genesis: genesis.hash }) + "\n");
    }
    const { blocks } = this.read();
    const from = blocks.length === 0 ? 1 : blocks[blocks.length - 1].number + 1;
    const head = Number(await rpc<string>(url, "eth_blockNumber"));
    const lines: string[] = [];
    for (let n = from; n <= head; n++) {
      const block = await rpc<RpcBlock>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, true]);
      const entry: JournalBlock = {
        number: n,
        hash: block.hash,
        timestamp: block.timestamp,
        transactions: block.transactions.map(rawTransaction),
      };
      lines.push(JSON.stringify(entry) + "\n");
    }
    // One append per call: a crash leaves either none or all of these lines.
    if (lines.length > 0) fs.appendFileSync(this.file, lines.join(""));
    return head;
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
    return blocks.length === 0 ? 0 : blocks[blocks.length - 1].number;
  }
}
