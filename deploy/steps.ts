import fs from "node:fs";
import path from "node:path";
import { keccak256, type Signer, type TransactionReceipt, type Wallet } from "ethers";
import { DEV_CHAIN_IDS } from "./networks";

/**
 * Runs the transactions of a deployment one step at a time, each at most once.
 *
 * With a journal file (real networks), every transaction is signed first and written to the
 * journal with its nonce and raw bytes, and only then broadcast. A run that stops anywhere (a
 * dropped connection, a killed process, a revert) leaves each step either absent (never sent),
 * "sent" (its signed bytes are known: the next run re-broadcasts the very same transaction and
 * waits for it; the same nonce cannot be mined twice) or "mined" (skipped). So no contract is
 * ever deployed twice, and if anything else used the nonce in between the run stops and says so.
 * Without a journal file (test fixtures, the local demo) the same steps run in memory.
 */

/** One step as the journal keeps it. */
export interface StepRecord {
  /** keccak256 of the transaction's data: a resumed step must send the same bytes. */
  dataHash: string;
  status: "sent" | "mined";
  nonce?: number;
  hash?: string;
  raw?: string;
  /** The contract a deploy step created. */
  address?: string;
  blockNumber?: number;
}

export interface JournalFile {
  chainId: number;
  deployer: string;
  steps: Record<string, StepRecord>;
}

/** A transaction of a step: a deployment (no `to`) or a call. */
export interface StepTx {
  to?: string;
  data: string;
}

export interface StepResult {
  address?: string;
  blockNumber: number;
}

export interface StepRunnerOptions {
  /** The journal file; omitted, the journal lives in memory only. */
  journalFile?: string;
  /** Called once a step's transaction is signed and journaled, before it is broadcast. */
  beforeBroadcast?: (id: string) => void | Promise<void>;
  /** Called after a step's transaction was broadcast, before its receipt: tests inject faults here. */
  afterBroadcast?: (id: string) => void | Promise<void>;
  /** How long to wait for one receipt before giving up (the next run resumes). */
  receiptTimeoutMs?: number;
  log?: (line: string) => void;
}

export class DeploymentStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentStopped";
  }
}

export interface StepRunner {
  run(id: string, tx: StepTx): Promise<StepResult>;
  /** Steps that were already mined before this run. */
  readonly resumed: string[];
  /** Steps this run sent. */
  readonly sent: string[];
}

/** Writes through a temporary file and a rename, so a kill never leaves half a journal. */
function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, "w");
  fs.writeSync(fd, content);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temporary, file);
}

export function readJournal(file: string): JournalFile | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, "utf8")) as JournalFile;
}

const isSigning = (signer: Signer): signer is Wallet =>
  typeof (signer as Wallet).signingKey === "object";

export async function createStepRunner(
  signer: Signer,
  options: StepRunnerOptions = {},
): Promise<StepRunner> {
  const provider = signer.provider;
  if (!provider) throw new Error("the deployer signer has no provider");
  const deployer = await signer.getAddress();
  const chainId = Number((await provider.getNetwork()).chainId);
  const { journalFile } = options;
  const log = options.log ?? (() => undefined);
  if (journalFile && !isSigning(signer)) {
    throw new Error("a journaled deployment needs a signer that holds its key (an ethers Wallet)");
  }

  let journal: JournalFile = { chainId, deployer, steps: {} };
  const existing = journalFile ? readJournal(journalFile) : null;
  if (existing) {
    if (existing.chainId !== chainId) {
      throw new DeploymentStopped(
        `${journalFile} is the journal of chain ${existing.chainId}, but the network is chain ${chainId}`,
      );
    }
    if (existing.deployer.toLowerCase() !== deployer.toLowerCase()) {
      throw new DeploymentStopped(
        `${journalFile} was started by deployer ${existing.deployer}, not ${deployer}; resume with the same key`,
      );
    }
    journal = existing;
    for (const [stepId, step] of Object.entries(existing.steps)) {
      if (step.status !== "mined" || !step.address) continue;
      if ((await provider.getCode(step.address)) !== "0x") continue;
      if (!DEV_CHAIN_IDS.includes(chainId)) {
        throw new DeploymentStopped(
          `${journalFile} says step ${stepId} deployed ${step.address}, but chain ${chainId} has no code there: this journal belongs to another chain`,
        );
      }
      // A local node that was restarted from scratch: its old journal describes nothing.
      log(`${journalFile} describes an earlier local chain; starting over`);
      journal = { chainId, deployer, steps: {} };
      break;
    }
  }
  const save = () => {
    if (journalFile) writeAtomically(journalFile, JSON.stringify(journal, null, 2) + "\n");
  };
  const resumed = Object.entries(journal.steps)
    .filter(([, step]) => step.status === "mined")
    .map(([id]) => id);
  const sent: string[] = [];
  const timeout = options.receiptTimeoutMs ?? 10 * 60_000;
  /** Polls for a receipt (some providers, Hardhat's in-process one, cannot wait for one). */
  const receiptOf = async (hash: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt || Date.now() > deadline) return receipt;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const finish = (id: string, record: StepRecord, receipt: TransactionReceipt): StepResult => {
    if (receipt.status !== 1) {
      delete journal.steps[id];
      save();
      throw new DeploymentStopped(
        `step ${id} reverted in transaction ${receipt.hash}; nothing of it was kept, fix the cause and run again`,
      );
    }
    record.status = "mined";
    record.hash = receipt.hash;
    record.blockNumber = receipt.blockNumber;
    record.address = receipt.contractAddress ?? undefined;
    delete record.raw;
    save();
    return { address: record.address, blockNumber: receipt.blockNumber };
  };

  /** Waits for a journaled transaction, re-broadcasting it while its nonce is still free. */
  const settle = async (id: string, record: StepRecord): Promise<StepResult> => {
    for (;;) {
      const receipt = await provider.getTransactionReceipt(record.hash!);
      if (receipt) return finish(id, record, receipt);
      const nonce = await provider.getTransactionCount(deployer, "latest");
      if (nonce > record.nonce!) {
        // Mined by now, or replaced by another transaction with the same nonce.
        const late = await receiptOf(record.hash!, Math.min(30_000, timeout));
        if (late) return finish(id, record, late);
        throw new DeploymentStopped(
          `step ${id}: nonce ${record.nonce} of ${deployer} was used by another transaction than ${record.hash}; ` +
            `the deployer key was used elsewhere during the deployment. Check the chain, then remove the step from ${journalFile} to send it again`,
        );
      }
      try {
        await provider.broadcastTransaction(record.raw!);
      } catch (error) {
        // "already known" and its relatives: the node has it; wait below.
        log(`step ${id}: re-broadcast answered ${(error as Error).message.split("\n")[0]}`);
      }
      const receiptNow = await receiptOf(record.hash!, timeout);
      if (receiptNow) return finish(id, record, receiptNow);
    }
  };

  return {
    resumed,
    sent,
    async run(id, tx) {
      const dataHash = keccak256(tx.data);
      const record = journal.steps[id];
      if (record && record.dataHash !== dataHash) {
        throw new DeploymentStopped(
          `step ${id} was started with other arguments than it has now (did the parameters file change?); ` +
            `finish the deployment with the original parameters, or start over with a new journal`,
        );
      }
      if (record?.status === "mined") {
        return { address: record.address, blockNumber: record.blockNumber! };
      }
      if (record?.status === "sent") {
        log(`step ${id}: resuming transaction ${record.hash}`);
        return settle(id, record);
      }
      sent.push(id);
      if (!journalFile) {
        const response = await signer.sendTransaction({ to: tx.to, data: tx.data });
        await options.afterBroadcast?.(id);
        const receipt = await response.wait();
        if (!receipt) throw new DeploymentStopped(`step ${id}: transaction was dropped`);
        const memory: StepRecord = { dataHash, status: "sent", hash: receipt.hash };
        journal.steps[id] = memory;
        return finish(id, memory, receipt);
      }
      const wallet = signer as Wallet;
      const nonce = await provider.getTransactionCount(deployer, "pending");
      const request = await wallet.populateTransaction({ to: tx.to, data: tx.data, nonce });
      const raw = await wallet.signTransaction(request);
      const fresh: StepRecord = { dataHash, status: "sent", nonce, hash: keccak256(raw), raw };
      journal.steps[id] = fresh;
      save();
      log(`step ${id}: sending ${fresh.hash} (nonce ${nonce})`);
      await options.beforeBroadcast?.(id);
      await provider.broadcastTransaction(raw);
      await options.afterBroadcast?.(id);
      return settle(id, fresh);
    },
  };
}
