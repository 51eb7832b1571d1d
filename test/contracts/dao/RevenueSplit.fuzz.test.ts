import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { ZeroAddress } from "ethers";
import type { ContractTransactionReceipt } from "ethers";
import { daoFixture, timelockSigner } from "./fixtures";
import { MaliciousRecipient__factory } from "../../../typechain-types";

/**
 * Stateful fuzzing of RevenueSplit against a plain BigInt model: random deposits of ETH and two
 * tokens (with and without a creator), distributions, withdrawals by buckets (two of them
 * hostile: one rejects ETH, one re-enters) and by creators, and allocation changes by the
 * timelock, valid or not. After every step, per token: received == credited + undistributed, the
 * contract holds received - withdrawn, and all of it matches the model; no recipient has ever
 * withdrawn more than it was credited. FUZZ_RUNS sequences (default 100) of FUZZ_STEPS (30).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const STEPS = Number(process.env.FUZZ_STEPS ?? 30);
const BPS = 10_000n;
const LOTS = 10n ** 30n;

type Action =
  | { type: "deposit"; token: number; amount: bigint; creator: number }
  | { type: "distribute"; token: number }
  | { type: "withdraw"; token: number; recipient: number }
  | { type: "withdrawProfile"; token: number; creator: number }
  | {
      type: "setAllocation";
      buckets: { recipient: number; weight: number }[];
      creatorShare: number;
      broken: boolean;
      byStranger: boolean;
    };

const tokenArb = fc.integer({ min: 0, max: 2 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("deposit" as const),
      token: tokenArb,
      amount: fc.oneof(fc.bigInt(1n, 1_000n), fc.bigInt(1n, 10n ** 24n)),
      creator: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant("distribute" as const), token: tokenArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant("withdraw" as const),
      token: tokenArb,
      recipient: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("withdrawProfile" as const),
      token: tokenArb,
      creator: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("setAllocation" as const),
      buckets: fc.array(
        fc.record({
          recipient: fc.integer({ min: 0, max: 4 }),
          weight: fc.integer({ min: 1, max: 100 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      creatorShare: fc.integer({ min: 0, max: 5_000 }),
      broken: fc.boolean(),
      byStranger: fc.boolean(),
    }),
  },
);

async function fuzzFixture() {
  const f = await daoFixture();
  const governance = await timelockSigner(await f.timelock.getAddress());
  const split = f.revenueSplit;
  const rejecting = await new MaliciousRecipient__factory(f.deployer).deploy();
  const reentrant = await new MaliciousRecipient__factory(f.deployer).deploy();
  await (await rejecting.setMode(1)).wait();
  const reentrantAddress = await reentrant.getAddress();
  const again = split.interface.encodeFunctionData("withdraw", [ZeroAddress, reentrantAddress]);
  await (await reentrant.setReentry(await split.getAddress(), again)).wait();
  await setBalance(f.tipper.address, LOTS);
  for (const token of [f.tokenA, f.tokenB]) {
    await (await token.mint(f.tipper.address, LOTS)).wait();
    await (
      await token.connect(f.tipper).approve(await split.getAddress(), ethers.MaxUint256)
    ).wait();
  }
  return { ...f, governance, split, rejecting, reentrant };
}

describe("RevenueSplit (stateful fuzz)", function () {
  it(`keeps received == credited + undistributed over ${RUNS} x ${STEPS} random steps`, async function () {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: STEPS, maxLength: STEPS }),
        async (actions) => {
          const f = await loadFixture(fuzzFixture);
          const { split, governance, tipper, stranger } = f;
          const tokens = [ZeroAddress, await f.tokenA.getAddress(), await f.tokenB.getAddress()];
          // Bucket candidates: two EOAs, the treasury, and two hostile contracts that act through
          // `act` (index 3 rejects ETH, index 4 re-enters `withdraw` when paid).
          const recipients = [
            f.operations.address,
            await f.timelock.getAddress(),
            stranger.address,
            await f.rejecting.getAddress(),
            await f.reentrant.getAddress(),
          ];
          const creatorIds = [f.creator1Id, f.creator2Id, 0n, 999n];
          const creatorOwners = [f.creator1, f.creator2];

          // The model.
          let buckets: { recipient: string; bps: bigint }[] = [
            { recipient: recipients[0], bps: 5_000n },
            { recipient: recipients[1], bps: 3_000n },
          ];
          let creatorShare = 2_000n;
          const acc = tokens.map(() => ({
            received: 0n,
            credited: 0n,
            undistributed: 0n,
            withdrawn: 0n,
          }));
          const balances = tokens.map(() => new Map<string, bigint>());
          const profileBalances = tokens.map(() => new Map<bigint, bigint>());
          const creditedTo = tokens.map(() => new Map<string, bigint>());
          const withdrawnBy = tokens.map(() => new Map<string, bigint>());
          const add = <K>(m: Map<K, bigint>, k: K, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
          // The allocation each token's undistributed pool was earned under.
          const poolBuckets = tokens.map(() => buckets);
          const distributeModel = (t: number) => {
            const pool = acc[t].undistributed;
            const earnedUnder = poolBuckets[t];
            const bucketBps = earnedUnder.reduce((total, b) => total + b.bps, 0n);
            let sum = 0n;
            for (const bucket of earnedUnder) {
              const share = (pool * bucket.bps) / bucketBps;
              sum += share;
              add(balances[t], bucket.recipient, share);
              add(creditedTo[t], bucket.recipient, share);
            }
            acc[t].credited += sum;
            acc[t].undistributed = pool - sum;
            poolBuckets[t] = buckets;
          };

          const withdrawnAmount = (receipt: ContractTransactionReceipt | null) => {
            for (const log of receipt?.logs ?? []) {
              const parsed = split.interface.parseLog(log);
              if (parsed?.name === "Withdrawn" || parsed?.name === "ProfileWithdrawn") {
                return parsed.args.amount as bigint;
              }
            }
            throw new Error("no withdrawal event");
          };

          for (const action of actions) {
            switch (action.type) {
              case "deposit": {
                const t = action.token;
                const creatorId = creatorIds[action.creator];
                const tx =
                  t === 0
                    ? split.connect(tipper).depositETH(creatorId, { value: action.amount })
                    : split.connect(tipper).depositToken(tokens[t], action.amount, creatorId);
                await (await tx).wait();
                if (poolBuckets[t] !== buckets) {
                  if (acc[t].undistributed > 0n) distributeModel(t);
                  poolBuckets[t] = buckets;
                }
                const live = action.creator < 2;
                const creatorCredit = live ? (action.amount * creatorShare) / BPS : 0n;
                acc[t].received += action.amount;
                acc[t].credited += creatorCredit;
                acc[t].undistributed += action.amount - creatorCredit;
                if (creatorCredit > 0n) add(profileBalances[t], creatorId, creatorCredit);
                break;
              }
              case "distribute": {
                const t = action.token;
                const pool = acc[t].undistributed;
                if (pool === 0n) {
                  await expect(split.distribute(tokens[t]))
                    .to.be.revertedWithCustomError(split, "RevenueSplitNothingToDistribute")
                    .withArgs(tokens[t]);
                  break;
                }
                await (await split.connect(stranger).distribute(tokens[t])).wait();
                distributeModel(t);
                break;
              }
              case "withdraw": {
                const t = action.token;
                const who = recipients[action.recipient];
                const owed = balances[t].get(who) ?? 0n;
                const viaContract = action.recipient >= 3;
                const call = split.interface.encodeFunctionData("withdraw", [tokens[t], who]);
                const send = () => {
                  if (action.recipient === 3) return f.rejecting.act(split, call);
                  if (action.recipient === 4) return f.reentrant.act(split, call);
                  if (action.recipient === 1)
                    return split.connect(governance).withdraw(tokens[t], who);
                  const signer = action.recipient === 0 ? f.operations : stranger;
                  return split.connect(signer).withdraw(tokens[t], who);
                };
                if (owed === 0n) {
                  await expect(send())
                    .to.be.revertedWithCustomError(split, "RevenueSplitNothingToWithdraw")
                    .withArgs(tokens[t], who);
                } else if (viaContract && t === 0) {
                  await expect(send())
                    .to.be.revertedWithCustomError(split, "RevenueSplitETHTransferFailed")
                    .withArgs(who, owed);
                } else {
                  const amount = withdrawnAmount(await (await send()).wait());
                  expect(amount).to.equal(owed);
                  balances[t].set(who, 0n);
                  acc[t].withdrawn += amount;
                  add(withdrawnBy[t], who, amount);
                }
                break;
              }
              case "withdrawProfile": {
                const t = action.token;
                const id = creatorIds[action.creator];
                const owner = creatorOwners[action.creator];
                const owed = profileBalances[t].get(id) ?? 0n;
                const tx = split.connect(owner).withdrawForProfile(tokens[t], id, owner.address);
                if (owed === 0n) {
                  await expect(tx)
                    .to.be.revertedWithCustomError(split, "RevenueSplitNothingToWithdrawForProfile")
                    .withArgs(tokens[t], id);
                } else {
                  expect(withdrawnAmount(await (await tx).wait())).to.equal(owed);
                  profileBalances[t].set(id, 0n);
                  acc[t].withdrawn += owed;
                }
                break;
              }
              case "setAllocation": {
                const share = BigInt(action.creatorShare);
                const totalWeight = action.buckets.reduce((s, b) => s + BigInt(b.weight), 0n);
                const next = action.buckets.map((b) => ({
                  recipient: recipients[b.recipient],
                  bps: ((BPS - share) * BigInt(b.weight)) / totalWeight,
                }));
                const rest = BPS - share - next.reduce((s, b) => s + b.bps, 0n);
                next[0].bps += rest + (action.broken ? 1n : 0n);
                const caller = action.byStranger ? stranger : governance;
                const tx = split.connect(caller).setAllocation(next, share);
                if (action.byStranger) {
                  await expect(tx)
                    .to.be.revertedWithCustomError(split, "RevenueSplitUnauthorized")
                    .withArgs(stranger.address);
                } else if (action.broken) {
                  await expect(tx)
                    .to.be.revertedWithCustomError(split, "RevenueSplitBpsSum")
                    .withArgs(BPS + 1n);
                } else {
                  await (await tx).wait();
                  buckets = next;
                  creatorShare = share;
                }
                break;
              }
            }

            // Invariants after every step, for every token.
            for (let t = 0; t < tokens.length; t++) {
              const onChain = await split.accounting(tokens[t]);
              expect(onChain.received).to.equal(onChain.credited + onChain.undistributed);
              expect([
                onChain.received,
                onChain.credited,
                onChain.undistributed,
                onChain.withdrawn,
              ]).to.deep.equal([
                acc[t].received,
                acc[t].credited,
                acc[t].undistributed,
                acc[t].withdrawn,
              ]);
              const held =
                t === 0
                  ? await ethers.provider.getBalance(split)
                  : await (t === 1 ? f.tokenA : f.tokenB).balanceOf(split);
              expect(held).to.equal(acc[t].received - acc[t].withdrawn);
              for (const [who, amount] of withdrawnBy[t]) {
                expect(amount <= (creditedTo[t].get(who) ?? 0n)).to.equal(true);
              }
            }
          }

          // Every recipient's and creator's withdrawable balance matches the model.
          for (let t = 0; t < tokens.length; t++) {
            for (const who of recipients) {
              expect(await split.balanceOf(tokens[t], who)).to.equal(balances[t].get(who) ?? 0n);
            }
            for (const id of creatorIds) {
              expect(await split.profileBalanceOf(tokens[t], id)).to.equal(
                profileBalances[t].get(id) ?? 0n,
              );
            }
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
