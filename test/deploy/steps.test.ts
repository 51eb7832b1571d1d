import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import { HARDHAT_ACCOUNT_0_KEY } from "../../deploy/networks";
import { loadParameters } from "../../deploy/parameters";
import { contractsOf, callsOf } from "../../deploy/plan";
import { readJournal, DeploymentStopped } from "../../deploy/steps";
import { deployWithParameters } from "../../deploy/suite";

const ROOT = path.resolve(__dirname, "..", "..");
const parameters = loadParameters(path.join(ROOT, "deploy", "parameters", "localhost.json"));
const STEPS = contractsOf(parameters).length + callsOf().length;

class DroppedConnection extends Error {}

describe("A resumable deployment (deploy/steps.ts)", function () {
  let journalFile: string;

  /** A fresh chain (fixture snapshot) and a fresh journal for each test. */
  async function freshChain() {
    return {};
  }

  beforeEach(async function () {
    await loadFixture(freshChain);
    journalFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "agora-journal-")), "j.json");
  });

  const deployer = () => new Wallet(HARDHAT_ACCOUNT_0_KEY, ethers.provider);
  const nonce = () => ethers.provider.getTransactionCount(deployer().address);

  it("deploys every contract once, and a second run sends nothing", async function () {
    const start = await nonce();
    const first = await deployWithParameters(deployer(), parameters, { journalFile });
    expect(first.runner.sent).to.have.length(STEPS);
    expect((await nonce()) - start).to.equal(STEPS);
    const again = await deployWithParameters(deployer(), parameters, { journalFile });
    expect(again.runner.sent).to.deep.equal([]);
    expect(again.runner.resumed).to.have.length(STEPS);
    expect((await nonce()) - start).to.equal(STEPS);
    expect(again.suite.governor.address).to.equal(first.suite.governor.address);
  });

  for (const [when, hook] of [
    ["after the broadcast of a deployment (the reply is lost)", "afterBroadcast"],
    ["after signing, before the broadcast (the process dies)", "beforeBroadcast"],
  ] as const) {
    for (const failing of ["deploy:governor", "call:timelock.grantCanceller"]) {
      it(`resumes a run stopped at ${failing} ${when}, never sending a step twice`, async function () {
        const start = await nonce();
        const stopped = await deployWithParameters(deployer(), parameters, {
          journalFile,
          [hook]: (id: string) => {
            if (id === failing) throw new DroppedConnection(`connection dropped at ${id}`);
          },
        }).catch((error: unknown) => error);
        expect(stopped).to.be.instanceOf(DroppedConnection);
        const journal = readJournal(journalFile)!;
        expect(journal.steps[failing].status).to.equal("sent");

        const resumed = await deployWithParameters(deployer(), parameters, { journalFile });
        // The interrupted step was settled from its journaled transaction, not sent anew.
        expect(resumed.runner.sent).to.not.include(failing);
        expect((await nonce()) - start).to.equal(STEPS);
        expect(
          Object.values(readJournal(journalFile)!.steps).every((s) => s.status === "mined"),
        ).to.equal(true);
        const timelock = resumed.suite.timelock.contract;
        const governor = resumed.suite.governor.address;
        expect(await timelock.hasRole(await timelock.CANCELLER_ROLE(), governor)).to.equal(true);
        expect(
          await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer().address),
        ).to.equal(false);
      });
    }
  }

  it("stops, naming the step, when the nonce of a journaled transaction was used by another", async function () {
    await deployWithParameters(deployer(), parameters, {
      journalFile,
      beforeBroadcast: (id) => {
        if (id === "deploy:tipJar") throw new DroppedConnection("stopped");
      },
    }).catch(() => undefined);
    // The same key sends something else meanwhile, with the journaled nonce.
    await (await deployer().sendTransaction({ to: deployer().address, value: 1n })).wait();
    const error = await deployWithParameters(deployer(), parameters, {
      journalFile,
      receiptTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DeploymentStopped);
    expect((error as Error).message).to.match(
      /step deploy:tipJar: nonce \d+ of 0x[0-9a-fA-F]{40} was used by another transaction/,
    );
  });

  it("refuses to resume with changed parameters", async function () {
    await deployWithParameters(deployer(), parameters, {
      journalFile,
      afterBroadcast: (id) => {
        if (id === "deploy:governor") throw new DroppedConnection("stopped");
      },
    }).catch(() => undefined);
    const changed = { ...parameters, governor: { ...parameters.governor, quorumPercent: 5 } };
    const error = await deployWithParameters(deployer(), changed, { journalFile }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(
      /step deploy:governor was started with other arguments/,
    );
  });

  it("refuses to resume another deployer's journal", async function () {
    await deployWithParameters(deployer(), parameters, { journalFile });
    const other = Wallet.createRandom().connect(ethers.provider);
    const error = await deployWithParameters(other, parameters, { journalFile }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(
      /was started by deployer 0xf39F.*resume with the same key/,
    );
  });
});
