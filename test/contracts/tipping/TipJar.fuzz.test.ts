import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { ZeroAddress } from "ethers";
import { daoFixture, timelockSigner } from "../dao/fixtures";
import { MaliciousRecipient__factory } from "../../../typechain-types";

/**
 * Stateful fuzzing of TipJar against a BigInt model: ETH and token tips (to profiles and a post)
 * from random amounts, an owner that switches between accepting, rejecting and burning gas,
 * claims, sweeps, fee changes by the timelock, and creator share changes of the revenue split
 * that the jar syncs now, later or not at all. After every step: the jar's ETH is exactly the
 * claimable credits plus the pending fee pool, its token balance is exactly the booked fees, the
 * split received exactly the swept `Tipped.fee`s of ETH tips, and all of it matches the model.
 * FUZZ_RUNS / 2 sequences (default 50) of FUZZ_STEPS (30).
 */
const RUNS = Math.max(1, Math.floor(Number(process.env.FUZZ_RUNS ?? 100) / 2));
const STEPS = Number(process.env.FUZZ_STEPS ?? 30);
const BPS = 10_000n;
const LOTS = 10n ** 30n;

type Action =
  | { type: "tipETH"; target: number; amount: bigint; onPost: boolean }
  | { type: "tipToken"; target: number; amount: bigint }
  | { type: "walletMode"; mode: number }
  | { type: "claim" }
  | { type: "sweepETH" }
  | { type: "sweepToken" }
  | { type: "setFee"; bps: number }
  | { type: "setShare"; bps: number; sync: boolean }
  | { type: "syncShare" };

const amountArb = fc.oneof(fc.bigInt(1n, 10_000n), fc.bigInt(1n, 10n ** 22n));
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("tipETH" as const),
      target: fc.integer({ min: 0, max: 2 }),
      amount: amountArb,
      onPost: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("tipToken" as const),
      target: fc.integer({ min: 0, max: 2 }),
      amount: amountArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("walletMode" as const),
      mode: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("claim" as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("sweepETH" as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("sweepToken" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("setFee" as const),
      bps: fc.integer({ min: 0, max: 1_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("setShare" as const),
      bps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 9_999 })),
      sync: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("syncShare" as const) }) },
);

async function fuzzFixture() {
  const f = await daoFixture();
  const governance = await timelockSigner(await f.timelock.getAddress());
  const wallet = await new MaliciousRecipient__factory(f.deployer).deploy();
  const register = f.registry.interface.encodeFunctionData("register", ["wallet_owner", ""]);
  await (await wallet.act(await f.registry.getAddress(), register)).wait();
  const walletProfileId = await f.registry.profileIdOf(await wallet.getAddress());
  await setBalance(f.tipper.address, LOTS);
  await (await f.tokenA.mint(f.tipper.address, LOTS)).wait();
  await (await f.tokenA.connect(f.tipper).approve(f.tipJar, ethers.MaxUint256)).wait();
  return { ...f, governance, wallet, walletProfileId };
}

describe("TipJar (stateful fuzz)", function () {
  it(`keeps its ETH equal to claimable credits plus pending fees over ${RUNS} x ${STEPS} steps`, async function () {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: STEPS, maxLength: STEPS }),
        async (actions) => {
          const f = await loadFixture(fuzzFixture);
          const { tipJar, tokenA, tipper, wallet, walletProfileId, revenueSplit } = f;
          const profileIds = [f.creator1Id, f.creator2Id, walletProfileId];
          let fee = 250n;
          let splitShare = 2_000n;
          let jarShare = 2_000n;
          let tippedFees = 0n;
          let walletMode = 0;
          let pendingETH = 0n;
          let claimable = 0n;
          let sweptETH = 0n;
          const tokenFees = new Map<bigint, bigint>();

          for (const action of actions) {
            switch (action.type) {
              case "tipETH": {
                const profileId = profileIds[action.target];
                const onPost = action.onPost && action.target === 0;
                const tx = onPost
                  ? tipJar.connect(tipper).tipPostETH(f.post1Id, "", { value: action.amount })
                  : tipJar.connect(tipper).tipETH(profileId, "", { value: action.amount });
                const receipt = await (await tx).wait();
                const whole = (action.amount * fee) / BPS;
                const cut = whole - (whole * jarShare) / BPS;
                pendingETH += cut;
                if (action.target === 2 && walletMode !== 0) claimable += action.amount - cut;
                for (const log of receipt?.logs ?? []) {
                  const parsed = tipJar.interface.parseLog(log);
                  if (parsed?.name === "Tipped") tippedFees += parsed.args.fee as bigint;
                }
                break;
              }
              case "tipToken": {
                const profileId = profileIds[action.target];
                await (
                  await tipJar.connect(tipper).tipToken(profileId, tokenA, action.amount, "")
                ).wait();
                const cut = (action.amount * fee) / BPS;
                tokenFees.set(profileId, (tokenFees.get(profileId) ?? 0n) + cut);
                break;
              }
              case "walletMode":
                await (await wallet.setMode(action.mode)).wait();
                walletMode = action.mode;
                break;
              case "claim": {
                const call = tipJar.interface.encodeFunctionData("claim", [
                  walletProfileId,
                  f.stranger.address,
                ]);
                if (claimable === 0n) {
                  await expect(wallet.act(tipJar, call))
                    .to.be.revertedWithCustomError(tipJar, "TipJarNothingToClaim")
                    .withArgs(walletProfileId);
                } else {
                  await expect(wallet.act(tipJar, call)).to.changeEtherBalance(
                    f.stranger,
                    claimable,
                  );
                  claimable = 0n;
                }
                break;
              }
              case "sweepETH":
                await (await tipJar.sweepETH()).wait();
                sweptETH += pendingETH;
                pendingETH = 0n;
                break;
              case "sweepToken":
                await (await tipJar.sweepToken(tokenA, profileIds)).wait();
                tokenFees.clear();
                break;
              case "setFee":
                await (await tipJar.connect(f.governance).setFeeBps(action.bps)).wait();
                fee = BigInt(action.bps);
                break;
              case "setShare": {
                const buckets = [{ recipient: f.operations.address, bps: 10_000 - action.bps }];
                await (
                  await revenueSplit.connect(f.governance).setAllocation(buckets, action.bps)
                ).wait();
                splitShare = BigInt(action.bps);
                if (action.sync) {
                  await (await tipJar.connect(f.stranger).syncCreatorShare()).wait();
                  jarShare = splitShare;
                }
                break;
              }
              case "syncShare":
                await expect(tipJar.connect(f.stranger).syncCreatorShare())
                  .to.emit(tipJar, "CreatorShareSynced")
                  .withArgs(jarShare, splitShare);
                jarShare = splitShare;
                break;
            }

            const held = await ethers.provider.getBalance(tipJar);
            expect(await tipJar.pendingETHFees()).to.equal(pendingETH);
            expect(await tipJar.claimable(walletProfileId)).to.equal(claimable);
            expect(held).to.equal(pendingETH + claimable);
            let booked = 0n;
            for (const id of profileIds) {
              const expected = tokenFees.get(id) ?? 0n;
              expect(await tipJar.pendingTokenFees(tokenA, id)).to.equal(expected);
              booked += expected;
            }
            expect(await tokenA.balanceOf(tipJar)).to.equal(booked);
            expect((await revenueSplit.accounting(ZeroAddress)).received).to.equal(sweptETH);
            expect(tippedFees).to.equal(sweptETH + pendingETH);
            expect(await tipJar.creatorShareBps()).to.equal(jarShare);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(
      `      ${RUNS} x ${STEPS} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
