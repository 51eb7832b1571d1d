import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Signature, ZeroAddress, ZeroHash, parseEther, toBeHex, zeroPadValue } from "ethers";
import { DAO_DEFAULTS } from "../../../deploy/dao";
import { HOLDER_AMOUNT, daoFixture } from "./fixtures";
import { GovernanceToken__factory } from "../../../typechain-types";
import type { AgoraGovernor, AgoraTimelock } from "../../../typechain-types";
import { signPermit } from "../../../sdk/permit";

const ETH = ZeroAddress;
const enum Vote {
  Against,
  For,
  Abstain,
}
const enum State {
  Pending,
  Active,
  Canceled,
  Defeated,
  Succeeded,
  Queued,
  Expired,
  Executed,
}

const enum TimelockState {
  Ready = 2,
}

/** OZ encodes the states an operation was expected to be in as a bitmap in a bytes32. */
const stateBitmap = (state: number) => zeroPadValue(toBeHex(1n << BigInt(state)), 32);

/** The timelock operation the governor schedules: salted with its address and the description. */
async function timelockOperationId(f: {
  timelock: AgoraTimelock;
  governor: AgoraGovernor;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  descriptionHash: string;
}): Promise<string> {
  const governorBits = BigInt(await f.governor.getAddress()) << 96n;
  const salt = zeroPadValue(toBeHex(governorBits ^ BigInt(f.descriptionHash)), 32);
  return f.timelock.hashOperationBatch(f.targets, f.values, f.calldatas, ZeroHash, salt);
}

describe("GovernanceToken", function () {
  it("keeps time by block timestamp (ERC-6372)", async function () {
    const { token } = await loadFixture(daoFixture);
    expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
    expect(await token.clock()).to.equal(BigInt(await time.latest()));
  });

  it("mints the configured distribution", async function () {
    const { token, alice, carol } = await loadFixture(daoFixture);
    expect(await token.totalSupply()).to.equal(3n * HOLDER_AMOUNT);
    expect(await token.balanceOf(carol)).to.equal(HOLDER_AMOUNT);
    expect(await token.name()).to.equal("Agora");
    expect(await token.nonces(alice)).to.equal(0n);
  });

  it("gives votes at deployment only to holders configured to self-delegate", async function () {
    const { token, alice, carol } = await loadFixture(daoFixture);
    expect(await token.getVotes(alice)).to.equal(HOLDER_AMOUNT);
    expect(await token.delegates(alice)).to.equal(alice.address);
    expect(await token.getVotes(carol)).to.equal(0n);
  });

  it("counts a holder's votes from the moment it delegates, by timestamp", async function () {
    const { token, carol } = await loadFixture(daoFixture);
    await (await token.connect(carol).delegate(carol)).wait();
    const delegatedAt = await time.latest();
    await time.increase(10);
    expect(await token.getVotes(carol)).to.equal(HOLDER_AMOUNT);
    expect(await token.getPastVotes(carol, delegatedAt - 1)).to.equal(0n);
    expect(await token.getPastVotes(carol, delegatedAt)).to.equal(HOLDER_AMOUNT);
  });

  it("accepts an EIP-2612 permit", async function () {
    const { token, alice, bob } = await loadFixture(daoFixture);
    const { chainId } = await ethers.provider.getNetwork();
    const deadline = BigInt(2 ** 40);
    const value = parseEther("5");
    const signature = await signPermit(
      alice,
      { name: "Agora", address: await token.getAddress() },
      chainId,
      { owner: alice.address, spender: bob.address, value, nonce: 0n, deadline },
    );
    const { v, r, s } = Signature.from(signature);
    await (await token.connect(bob).permit(alice, bob, value, deadline, v, r, s)).wait();
    expect(await token.allowance(alice, bob)).to.equal(value);
    expect(await token.nonces(alice)).to.equal(1n);
  });

  it("moves votes with transfers", async function () {
    const { token, alice, bob } = await loadFixture(daoFixture);
    await (await token.connect(alice).transfer(bob, parseEther("10"))).wait();
    expect(await token.getVotes(bob)).to.equal(HOLDER_AMOUNT + parseEther("10"));
  });

  it("cannot be deployed without a distribution", async function () {
    const [deployer] = await ethers.getSigners();
    const factory = new GovernanceToken__factory(deployer);
    await expect(factory.deploy("Agora", "AGORA", [])).to.be.revertedWithCustomError(
      factory,
      "GovernanceTokenNoAllocation",
    );
  });
});

describe("AgoraGovernor", function () {
  async function proposalFixture() {
    const f = await daoFixture();
    const split = f.revenueSplit;
    const newBuckets = [
      { recipient: f.operations.address, bps: 2_000 },
      { recipient: await f.timelock.getAddress(), bps: 7_000 },
    ];
    // The allocation change, then the tip jar's copy of the creator share (docs/dao.md).
    const targets = [await split.getAddress(), await f.tipJar.getAddress()];
    const values = [0n, 0n];
    const calldatas = [
      split.interface.encodeFunctionData("setAllocation", [newBuckets, 1_000]),
      f.tipJar.interface.encodeFunctionData("syncCreatorShare"),
    ];
    const description = "Move revenue to the community reserve";
    const descriptionHash = ethers.id(description);
    return { ...f, newBuckets, targets, values, calldatas, description, descriptionHash };
  }

  it("is wired to the token and the timelock with the configured settings", async function () {
    const { governor, token, timelock } = await loadFixture(daoFixture);
    expect(await governor.token()).to.equal(await token.getAddress());
    expect(await governor.timelock()).to.equal(await timelock.getAddress());
    expect(await governor.votingDelay()).to.equal(BigInt(DAO_DEFAULTS.votingDelay));
    expect(await governor.votingPeriod()).to.equal(BigInt(DAO_DEFAULTS.votingPeriod));
    expect(await governor.proposalThreshold()).to.equal(DAO_DEFAULTS.proposalThreshold);
    expect(await governor["quorumNumerator()"]()).to.equal(BigInt(DAO_DEFAULTS.quorumPercent));
    expect(await governor.CLOCK_MODE()).to.equal("mode=timestamp");
    expect(await timelock.getMinDelay()).to.equal(BigInt(DAO_DEFAULTS.timelockDelay));
  });

  it("leaves the timelock without an admin", async function () {
    const { timelock, deployer, governor } = await loadFixture(daoFixture);
    const admin = await timelock.DEFAULT_ADMIN_ROLE();
    expect(await timelock.hasRole(admin, deployer)).to.equal(false);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), governor)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ZeroAddress)).to.equal(true);
  });

  it("changes the revenue split end to end: propose, vote, queue, execute after the delay", async function () {
    const f = await loadFixture(proposalFixture);
    const { governor, revenueSplit: split, alice, bob, carol, tipper, stranger } = f;
    const { targets, values, calldatas, description, descriptionHash } = f;
    await (await f.token.connect(carol).delegate(carol)).wait();

    await (await governor.connect(alice).propose(targets, values, calldatas, description)).wait();
    const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    expect(await governor.state(proposalId)).to.equal(State.Pending);

    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.connect(alice).castVote(proposalId, Vote.For)).wait();
    await (await governor.connect(bob).castVote(proposalId, Vote.Against)).wait();
    await (await governor.connect(carol).castVote(proposalId, Vote.For)).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    expect(await governor.state(proposalId)).to.equal(State.Succeeded);

    await (
      await governor.connect(stranger).queue(targets, values, calldatas, descriptionHash)
    ).wait();
    expect(await governor.state(proposalId)).to.equal(State.Queued);
    await expect(governor.connect(stranger).execute(targets, values, calldatas, descriptionHash))
      .to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState")
      .withArgs(await timelockOperationId(f), stateBitmap(TimelockState.Ready));

    await time.increase(DAO_DEFAULTS.timelockDelay);
    await expect(governor.connect(stranger).execute(targets, values, calldatas, descriptionHash))
      .to.emit(split, "AllocationChanged")
      .withArgs(
        f.newBuckets.map((b) => [b.recipient, BigInt(b.bps)]),
        1_000n,
      )
      .and.to.emit(f.tipJar, "CreatorShareSynced")
      .withArgs(2_000n, 1_000n);
    expect(await governor.state(proposalId)).to.equal(State.Executed);
    expect(await f.tipJar.creatorShareBps()).to.equal(1_000n);

    // The next deposit and distribution follow the new split: 10% creator, 20% / 70% buckets.
    const amount = parseEther("1");
    await (await split.connect(tipper).depositETH(f.creator1Id, { value: amount })).wait();
    await (await split.distribute(ETH)).wait();
    expect(await split.profileBalanceOf(ETH, f.creator1Id)).to.equal(amount / 10n);
    expect(await split.balanceOf(ETH, f.operations)).to.equal((amount * 2n) / 10n);
    expect(await split.balanceOf(ETH, f.timelock)).to.equal((amount * 7n) / 10n);
  });

  it("says every proposal needs queuing, and runs none that skipped the timelock", async function () {
    const f = await loadFixture(proposalFixture);
    const { governor, alice, bob, stranger } = f;
    const { targets, values, calldatas, description, descriptionHash } = f;
    await (await governor.connect(alice).propose(targets, values, calldatas, description)).wait();
    const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    // What frontends (Tally among them) read to offer a "Queue" step.
    expect(await governor.proposalNeedsQueuing(proposalId)).to.equal(true);

    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.connect(alice).castVote(proposalId, Vote.For)).wait();
    await (await governor.connect(bob).castVote(proposalId, Vote.For)).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    expect(await governor.state(proposalId)).to.equal(State.Succeeded);
    expect(await governor.proposalNeedsQueuing(proposalId)).to.equal(true);
    // Because it needs queuing, the governor executes it only once queued, not straight from
    // Succeeded.
    await expect(governor.connect(stranger).execute(targets, values, calldatas, descriptionHash))
      .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
      .withArgs(proposalId, State.Succeeded, stateBitmap(State.Queued));

    await (
      await governor.connect(stranger).queue(targets, values, calldatas, descriptionHash)
    ).wait();
    expect(await governor.proposalEta(proposalId)).to.equal(
      BigInt(await time.latest()) + BigInt(DAO_DEFAULTS.timelockDelay),
    );
    await time.increase(DAO_DEFAULTS.timelockDelay);
    await (
      await governor.connect(stranger).execute(targets, values, calldatas, descriptionHash)
    ).wait();
    expect(await governor.state(proposalId)).to.equal(State.Executed);
    expect(await governor.proposalNeedsQueuing(proposalId)).to.equal(true);
  });

  it("changes nothing when the proposal is defeated", async function () {
    const f = await loadFixture(proposalFixture);
    const { governor, revenueSplit: split, alice, bob, tipper, stranger } = f;
    const { targets, values, calldatas, description, descriptionHash } = f;
    await (await governor.connect(alice).propose(targets, values, calldatas, description)).wait();
    const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.connect(alice).castVote(proposalId, Vote.Against)).wait();
    await (await governor.connect(bob).castVote(proposalId, Vote.Against)).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    expect(await governor.state(proposalId)).to.equal(State.Defeated);
    await expect(
      governor.connect(stranger).queue(targets, values, calldatas, descriptionHash),
    ).to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState");

    const amount = parseEther("1");
    await (await split.connect(tipper).depositETH(f.creator1Id, { value: amount })).wait();
    await (await split.distribute(ETH)).wait();
    expect(await split.creatorShareBps()).to.equal(2_000n);
    expect(await f.tipJar.creatorShareBps()).to.equal(2_000n);
    expect(await split.profileBalanceOf(ETH, f.creator1Id)).to.equal(amount / 5n);
    expect(await split.balanceOf(ETH, f.operations)).to.equal(amount / 2n);
  });

  it("does not count holders who never delegated", async function () {
    const f = await loadFixture(proposalFixture);
    const { governor, carol } = f;
    const { targets, values, calldatas, description, descriptionHash } = f;
    await expect(governor.connect(carol).propose(targets, values, calldatas, description))
      .to.be.revertedWithCustomError(governor, "GovernorInsufficientProposerVotes")
      .withArgs(carol.address, 0n, DAO_DEFAULTS.proposalThreshold);
    await (await governor.connect(f.alice).propose(targets, values, calldatas, description)).wait();
    const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.connect(carol).castVote(proposalId, Vote.For)).wait();
    const [, forVotes] = await governor.proposalVotes(proposalId);
    expect(forVotes).to.equal(0n);
  });

  it("rejects governed calls from anyone but the timelock", async function () {
    const { revenueSplit, tipJar, governor, alice, deployer } = await loadFixture(daoFixture);
    await expect(
      revenueSplit.connect(alice).setAllocation([{ recipient: alice.address, bps: 10_000 }], 0),
    )
      .to.be.revertedWithCustomError(revenueSplit, "RevenueSplitUnauthorized")
      .withArgs(alice.address);
    await expect(tipJar.connect(deployer).setFeeBps(0))
      .to.be.revertedWithCustomError(tipJar, "TipJarUnauthorized")
      .withArgs(deployer.address);
    await expect(governor.connect(alice).setVotingDelay(0))
      .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
      .withArgs(alice.address);
  });
});
