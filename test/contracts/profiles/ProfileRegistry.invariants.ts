import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import fc from "fast-check";
import {
  HANDLE_COOLDOWN_SECONDS,
  OFFER_EXPIRY_NEVER,
  RECOVERY_DELAY_SECONDS,
  RECOVERY_OFFER_PERIOD_SECONDS,
  agoraTypedData,
  postIdOf,
  signAgora,
} from "../../../sdk/handles";
import type { ProfileRegistry } from "../../../typechain-types";
import { URI, registryFixture } from "./fixture";

const INVARIANT_RUNS = Number(process.env.INVARIANT_RUNS ?? 6);
const INVARIANT_STEPS = Number(process.env.INVARIANT_STEPS ?? 30);
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const ZERO = ethers.ZeroAddress;
const DAY = 86_400n;
const DELAY = BigInt(RECOVERY_DELAY_SECONDS);
const OFFER_PERIOD = BigInt(RECOVERY_OFFER_PERIOD_SECONDS);
const COOLDOWN = BigInt(HANDLE_COOLDOWN_SECONDS);
/** Every transaction is sent with a gas limit, so that one the model expects to revert is mined
 * (at the block time the model chose) instead of being refused by gas estimation. */
const GAS = { gasLimit: 1_000_000 };

/** Six handles bound the run to six profiles, so that handles collide and ids get reused often. */
const HANDLES = ["ann", "bea", "cid", "dee", "eve_1", "fay"];
const ACTORS = 5;
/** Profile ids tried: every possible one plus one past the largest. */
const PROFILE_ID = fc.integer({ min: 1, max: HANDLES.length + 1 });
const ACTOR = fc.integer({ min: 0, max: ACTORS - 1 });
/** An actor index, or -1 for the zero address. */
const ADDRESS = fc.integer({ min: -1, max: ACTORS - 1 });
/** Offer expiries: before now, this very block, a day, ten days, never. */
const EXPIRY = fc.integer({ min: 0, max: 4 });
/** Waits that cross the block, the recovery delay, the recovery offer period and the cooldown. */
const WAIT = fc.constantFrom(60n, DAY, DELAY, OFFER_PERIOD + 1n, COOLDOWN);

/** Most actions target the profile the actor has a relation to (owns, was offered, recovers). */
const MINE = fc.oneof(
  { arbitrary: fc.constant(true), weight: 3 },
  { arbitrary: fc.constant(false), weight: 1 },
);

const actionArb = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("register" as const),
      actor: ACTOR,
      handle: fc.nat(5),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("changeHandle" as const),
      actor: ACTOR,
      profileId: PROFILE_ID,
      mine: MINE,
      handle: fc.nat(5),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("offerTransfer" as const),
      actor: ACTOR,
      profileId: PROFILE_ID,
      mine: MINE,
      to: ADDRESS,
      expiry: EXPIRY,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("acceptTransfer" as const),
      actor: ACTOR,
      profileId: PROFILE_ID,
      mine: MINE,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("setRecovery" as const),
      actor: ACTOR,
      profileId: PROFILE_ID,
      mine: MINE,
      to: ADDRESS,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("recover" as const),
      actor: ACTOR,
      profileId: PROFILE_ID,
      mine: MINE,
      to: ADDRESS,
      toSelf: fc.boolean(),
    }),
    weight: 2,
  },
  fc.record({
    kind: fc.constant("recoverWithSignature" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    to: ACTOR,
    forged: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("burnNonce" as const), actor: ACTOR }),
  fc.record({
    kind: fc.constant("post" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
  }),
  fc.record({
    kind: fc.constant("react" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    author: PROFILE_ID,
    sequence: fc.nat(3),
  }),
  { arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: WAIT }), weight: 2 },
);
type Action = typeof actionArb extends fc.Arbitrary<infer A> ? A : never;

interface Offer {
  to: string;
  expiresAt: bigint;
  offeredAt: bigint;
  byRecovery: boolean;
}

/** The recovery address last set and a scheduled change (`changeAt` 0: none). */
interface Recovery {
  current: string;
  changeAt: bigint;
  next: string;
}

/** A handle's record: the profile holding it (`freeAt` 0) or that gave it up until `freeAt`. */
interface HandleRecord {
  id: bigint;
  freeAt: bigint;
}

/**
 * What the registry should hold, written from the rules in docs/profiles.md rather than from the
 * contract: the reference the chain is compared with after every step.
 */
class Model {
  now = 0n;
  count = 0n;
  owner = new Map<bigint, string>();
  handle = new Map<bigint, string>();
  postCount = new Map<bigint, bigint>();
  idOf = new Map<string, bigint>();
  offers = new Map<bigint, Offer>();
  recoveries = new Map<bigint, Recovery>();
  records = new Map<string, HandleRecord>();
  nonces = new Map<string, bigint>();

  recoveryNow(id: bigint): string {
    const r = this.recoveries.get(id);
    if (r === undefined) return ZERO;
    return r.changeAt !== 0n && this.now >= r.changeAt ? r.next : r.current;
  }

  /** The scheduled change not yet in effect, as `recoveryOf` reports it. */
  pendingChange(id: bigint): [string, bigint] {
    const r = this.recoveries.get(id);
    return r !== undefined && r.changeAt !== 0n && this.now < r.changeAt
      ? [r.next, r.changeAt]
      : [ZERO, 0n];
  }

  /** An offer that can still be accepted (now or after its wait). */
  openOffer(id: bigint): Offer | undefined {
    const offer = this.offers.get(id);
    return offer !== undefined && this.now <= offer.expiresAt ? offer : undefined;
  }

  openRecoveryOffer(id: bigint): Offer | undefined {
    const offer = this.openOffer(id);
    return offer?.byRecovery ? offer : undefined;
  }

  /** When an open offer becomes acceptable: at once, unless it is the owner's and a recovery
   * address is in force, then the recovery delay after it or a scheduled clearing if sooner. */
  acceptableAt(id: bigint, offer: Offer): bigint {
    if (offer.byRecovery || this.recoveryNow(id) === ZERO) return offer.offeredAt;
    const waitEnds = offer.offeredAt + DELAY;
    const [next, changeAt] = this.pendingChange(id);
    return changeAt !== 0n && next === ZERO && changeAt < waitEnds ? changeAt : waitEnds;
  }

  holderOf(handle: string): bigint | undefined {
    const record = this.records.get(handle);
    return record !== undefined && record.freeAt === 0n ? record.id : undefined;
  }

  /** The error claiming `handle` for `claimant` (0: a new profile) meets, or null. */
  claimError(handle: string, claimant: bigint): Expected {
    const record = this.records.get(handle);
    if (record === undefined) return null;
    if (record.freeAt === 0n) return { error: "ProfileHandleTaken", args: [handle, record.id] };
    if (this.now < record.freeAt && record.id !== claimant) {
      return { error: "ProfileHandleCoolingDown", args: [handle, record.id, record.freeAt] };
    }
    return null;
  }

  /**
   * For an action marked `mine`, the profile and caller that make it plausible: the actor's own
   * profile, or for accept and recover one of the open offers or recovery grants (its holder
   * then acts), picked by `pick`.
   */
  relatedTo(
    kind: Action["kind"],
    actor: string,
    actors: string[],
    pick: number,
  ): { profileId: bigint; caller: string } | undefined {
    if (kind === "acceptTransfer" || kind === "recover" || kind === "recoverWithSignature") {
      const grants: [bigint, string][] = [];
      for (const id of this.owner.keys()) {
        const holder = kind === "acceptTransfer" ? this.openOffer(id)?.to : this.recoveryNow(id);
        if (holder !== undefined && actors.includes(holder)) grants.push([id, holder]);
      }
      if (grants.length === 0) return undefined;
      const [profileId, caller] = grants[pick % grants.length];
      return { profileId, caller };
    }
    const own = this.idOf.get(actor);
    return own === undefined ? undefined : { profileId: own, caller: actor };
  }

  /** An existing post, picked by `pick` and `sequencePick`, if any author has posted. */
  existingPost(pick: number, sequencePick: number): bigint | undefined {
    const authors = [...this.postCount].filter(([, count]) => count > 0n);
    if (authors.length === 0) return undefined;
    const [author, count] = authors[pick % authors.length];
    return postIdOf(author, 1n + (BigInt(sequencePick) % count));
  }

  move(id: bigint, to: string): void {
    this.idOf.delete(this.owner.get(id)!);
    this.idOf.set(to, id);
    this.owner.set(id, to);
    this.offers.delete(id);
    this.recoveries.delete(id);
  }

  /** A recovery by the address in force cancels a scheduled change, or settles a matured one. */
  settleRecovery(id: bigint): void {
    const recovery = this.recoveryNow(id);
    this.recoveries.set(id, { current: recovery, changeAt: 0n, next: ZERO });
  }
}

/** The custom error the model expects, or null when the action must succeed. */
type Expected = { error: string; args: unknown[] } | null;

function ownerCheck(model: Model, id: bigint, caller: string): Expected {
  const owner = model.owner.get(id);
  if (owner === undefined) return { error: "ProfileNotFound", args: [id] };
  if (owner !== caller) return { error: "ProfileUnauthorized", args: [id, caller] };
  return null;
}

function recoveryCheck(model: Model, id: bigint, caller: string): Expected {
  if (!model.owner.has(id)) return { error: "ProfileNotFound", args: [id] };
  if (caller === ZERO || model.recoveryNow(id) !== caller) {
    return { error: "ProfileUnauthorized", args: [id, caller] };
  }
  return null;
}

function alreadyOwned(model: Model, account: string): Expected {
  const existing = model.idOf.get(account);
  return existing === undefined
    ? null
    : { error: "ProfileAlreadyOwned", args: [account, existing] };
}

async function expectInvariants(
  registry: ProfileRegistry,
  model: Model,
  ids: Iterable<bigint>,
): Promise<void> {
  expect(await registry.profileCount()).to.equal(model.count);
  for (const id of new Set(ids)) {
    if (id < 1n || id > model.count) {
      expect(await registry.ownerOf(id)).to.equal(ZERO);
      continue;
    }
    // 3: every id up to the count is a registered profile.
    const owner = await registry.ownerOf(id);
    expect(owner).to.equal(model.owner.get(id));
    // 2: its owner holds exactly this profile.
    expect(await registry.profileIdOf(owner)).to.equal(id);
    // 1: its handle maps back to it.
    const handle = await registry.handleOf(id);
    expect(handle).to.equal(model.handle.get(id));
    expect(await registry.profileIdOfHandle(handle)).to.equal(id);
    // 4: posts exist exactly for sequences 1..count.
    const posts = model.postCount.get(id) ?? 0n;
    expect(await registry.postCountOf(id)).to.equal(posts);
    expect(await registry.postExists(postIdOf(id, posts + 1n))).to.equal(false);
    if (posts > 0n) expect(await registry.postExists(postIdOf(id, posts))).to.equal(true);
    // 6: the recovery address in force, and any scheduled one, is never the owner.
    const [recovery, next, changeAt] = await registry.recoveryOf(id);
    expect([recovery, next, changeAt]).to.deep.equal([
      model.recoveryNow(id),
      ...model.pendingChange(id),
    ]);
    if (recovery !== ZERO) expect(recovery).to.not.equal(owner);
    if (next !== ZERO) expect(next).to.not.equal(owner);
    const offer = model.openOffer(id);
    expect(await registry.transferOfferOf(id)).to.deep.equal(
      offer === undefined
        ? [ZERO, 0n, 0n, false]
        : [offer.to, model.acceptableAt(id, offer), offer.expiresAt, offer.byRecovery],
    );
  }
  // 1: a handle maps to at most one profile; one cooling down maps to none.
  for (const handle of HANDLES) {
    expect(await registry.profileIdOfHandle(handle), handle).to.equal(model.holderOf(handle) ?? 0n);
  }
}

describe("ProfileRegistry: invariants under random action sequences", function () {
  it(`hold after every step of ${INVARIANT_RUNS} runs of ${INVARIANT_STEPS} actions by ${ACTORS} actors`, async function () {
    const signers = (await ethers.getSigners()).slice(1, 1 + ACTORS);
    const addressOf = (i: number) => (i < 0 ? ZERO : signers[i].address);
    const succeededBy = new Map<Action["kind"], number>();
    let reverted = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: INVARIANT_STEPS, maxLength: INVARIANT_STEPS }),
        async (actions: Action[]) => {
          const { registry, domain } = await loadFixture(registryFixture);
          const model = new Model();
          // Three actors start with a profile, so that most sequences act from the first step.
          for (const [i, handle] of HANDLES.slice(0, 3).entries()) {
            await registry.connect(signers[i]).register(handle, URI);
            const id = BigInt(i + 1);
            model.count = id;
            model.owner.set(id, signers[i].address);
            model.handle.set(id, handle);
            model.idOf.set(signers[i].address, id);
            model.records.set(handle, { id, freeAt: 0n });
          }
          model.now = BigInt(await time.latest());
          for (const action of actions) {
            if (action.kind === "wait") {
              model.now += action.seconds;
              await time.setNextBlockTimestamp(model.now);
              await ethers.provider.send("evm_mine", []);
              succeededBy.set("wait", (succeededBy.get("wait") ?? 0) + 1);
              await expectInvariants(registry, model, model.owner.keys());
              continue;
            }
            // Each action is mined in its own block, one second after the previous one.
            model.now += 1n;
            await time.setNextBlockTimestamp(model.now);
            const now = model.now;

            const addresses = signers.map((signer) => signer.address);
            const mine =
              "mine" in action && action.mine
                ? model.relatedTo(action.kind, addresses[action.actor], addresses, action.actor)
                : undefined;
            const caller = signers[addresses.indexOf(mine?.caller ?? addresses[action.actor])];
            const profileId =
              mine?.profileId ?? BigInt("profileId" in action ? action.profileId : 0);
            const as = registry.connect(caller);
            // A plausible receiver of a profile: an actor without one, when there is one.
            const receiver = (i: number) => {
              const free = addresses.filter((a) => !model.idOf.has(a));
              return i < 0 || free.length === 0 ? addressOf(i) : free[i % free.length];
            };
            const touched: bigint[] = [];
            let expected: Expected = null;
            let send: () => Promise<ContractTransactionResponse>;
            let apply = () => {};

            switch (action.kind) {
              case "register": {
                const handle = HANDLES[action.handle];
                expected = alreadyOwned(model, caller.address) ?? model.claimError(handle, 0n);
                const id = model.count + 1n;
                touched.push(id);
                send = () => as.register(handle, URI, GAS);
                apply = () => {
                  model.count = id;
                  model.owner.set(id, caller.address);
                  model.handle.set(id, handle);
                  model.idOf.set(caller.address, id);
                  model.records.set(handle, { id, freeAt: 0n });
                };
                break;
              }
              case "changeHandle": {
                const id = profileId;
                const handle = HANDLES[action.handle];
                expected = ownerCheck(model, id, caller.address) ?? model.claimError(handle, id);
                touched.push(id);
                send = () => as.changeHandle(id, handle, GAS);
                apply = () => {
                  model.records.set(model.handle.get(id)!, { id, freeAt: now + COOLDOWN });
                  model.records.set(handle, { id, freeAt: 0n });
                  model.handle.set(id, handle);
                };
                break;
              }
              case "offerTransfer": {
                const id = profileId;
                const to = action.mine ? receiver(action.to) : addressOf(action.to);
                const asked = [now - 1n, now, now + DAY, now + 10n * DAY, ethers.MaxUint256][
                  action.expiry
                ];
                const open = model.openRecoveryOffer(id);
                expected =
                  ownerCheck(model, id, caller.address) ??
                  (to === caller.address
                    ? { error: "ProfileInvalidAddress", args: [to] }
                    : open !== undefined
                      ? {
                          error: "ProfileRecoveryInProgress",
                          args: [id, open.to, open.expiresAt],
                        }
                      : to !== ZERO && asked < now
                        ? { error: "ProfileTransferExpiryInvalid", args: [asked] }
                        : null);
                touched.push(id);
                send = () => as.offerTransfer(id, to, asked, GAS);
                apply = () => {
                  if (to === ZERO) model.offers.delete(id);
                  else {
                    const expiresAt = asked > OFFER_EXPIRY_NEVER ? OFFER_EXPIRY_NEVER : asked;
                    model.offers.set(id, { to, expiresAt, offeredAt: now, byRecovery: false });
                  }
                };
                break;
              }
              case "acceptTransfer": {
                const id = profileId;
                const offer = model.offers.get(id);
                if (caller.address === ZERO || offer === undefined || offer.to !== caller.address)
                  expected = { error: "ProfileNoTransferOffer", args: [id, caller.address] };
                else if (now > offer.expiresAt)
                  expected = { error: "ProfileTransferOfferExpired", args: [id, offer.expiresAt] };
                else if (
                  !offer.byRecovery &&
                  now < offer.offeredAt + DELAY &&
                  model.recoveryNow(id) !== ZERO
                )
                  expected = {
                    error: "ProfileTransferOfferTooEarly",
                    args: [id, model.acceptableAt(id, offer)],
                  };
                else expected = alreadyOwned(model, caller.address);
                touched.push(id);
                send = () => as.acceptTransfer(id, GAS);
                apply = () => model.move(id, caller.address);
                break;
              }
              case "setRecovery": {
                const id = profileId;
                const to = addressOf(action.to);
                expected =
                  ownerCheck(model, id, caller.address) ??
                  (to === caller.address ? { error: "ProfileInvalidAddress", args: [to] } : null);
                const current = model.recoveryNow(id);
                const immediate = current === ZERO || current === to;
                const open = model.openRecoveryOffer(id);
                if (expected === null && !immediate && open !== undefined) {
                  expected = {
                    error: "ProfileRecoveryInProgress",
                    args: [id, open.to, open.expiresAt],
                  };
                }
                touched.push(id);
                send = () => as.setRecovery(id, to, GAS);
                apply = () =>
                  model.recoveries.set(
                    id,
                    immediate
                      ? { current: to, changeAt: 0n, next: ZERO }
                      : { current, changeAt: now + DELAY, next: to },
                  );
                break;
              }
              case "recover": {
                const id = profileId;
                const to = action.toSelf
                  ? caller.address
                  : action.mine
                    ? receiver(action.to)
                    : addressOf(action.to);
                expected = recoveryCheck(model, id, caller.address);
                if (expected === null) {
                  if (to === caller.address) expected = alreadyOwned(model, to);
                  else if (to === ZERO || to === model.owner.get(id))
                    expected = { error: "ProfileInvalidAddress", args: [to] };
                }
                touched.push(id);
                send = () => as.recover(id, to, GAS);
                apply = () => {
                  if (to === caller.address) return model.move(id, to);
                  model.settleRecovery(id);
                  model.offers.set(id, {
                    to,
                    expiresAt: now + OFFER_PERIOD,
                    offeredAt: now,
                    byRecovery: true,
                  });
                };
                break;
              }
              case "recoverWithSignature": {
                const id = profileId;
                const index = action.mine ? addresses.indexOf(receiver(action.to)) : action.to;
                const consenting = signers[index];
                const signer = action.forged ? signers[(index + 1) % ACTORS] : consenting;
                const nonce = model.nonces.get(consenting.address) ?? 0n;
                const deadline = now + 3600n;
                const signature = await signAgora(
                  signer,
                  agoraTypedData(domain, "AcceptProfile", {
                    profileId: id,
                    to: consenting.address,
                    nonce,
                    deadline,
                  }),
                );
                expected =
                  recoveryCheck(model, id, caller.address) ??
                  (action.forged
                    ? { error: "ProfileSignatureInvalid", args: [consenting.address] }
                    : alreadyOwned(model, consenting.address));
                touched.push(id);
                send = () =>
                  as.recoverWithSignature(id, consenting.address, deadline, signature, GAS);
                apply = () => {
                  model.nonces.set(consenting.address, nonce + 1n);
                  model.move(id, consenting.address);
                };
                break;
              }
              case "burnNonce": {
                const nonce = model.nonces.get(caller.address) ?? 0n;
                send = () => as.burnNonce(GAS);
                apply = () => model.nonces.set(caller.address, nonce + 1n);
                break;
              }
              case "post": {
                const id = profileId;
                expected = ownerCheck(model, id, caller.address);
                touched.push(id);
                send = () => as.post(id, URI, GAS);
                apply = () => model.postCount.set(id, (model.postCount.get(id) ?? 0n) + 1n);
                break;
              }
              case "react": {
                const id = profileId;
                const postId =
                  (action.mine ? model.existingPost(action.author, action.sequence) : undefined) ??
                  (BigInt(action.author) << 64n) | BigInt(action.sequence);
                const author = postId >> 64n;
                const sequence = postId & ((1n << 64n) - 1n);
                const exists = sequence >= 1n && sequence <= (model.postCount.get(author) ?? 0n);
                expected =
                  ownerCheck(model, id, caller.address) ??
                  (exists ? null : { error: "PostNotFound", args: [postId] });
                touched.push(id, author);
                send = () => as.react(id, postId, 1, GAS);
                break;
              }
            }

            // A move also changes the lookups of the caller's profile.
            const callerId = model.idOf.get(caller.address);
            if (callerId !== undefined) touched.push(callerId);
            if (expected === null) {
              await (await send()).wait();
              apply();
              succeededBy.set(action.kind, (succeededBy.get(action.kind) ?? 0) + 1);
            } else {
              await expect(send())
                .to.be.revertedWithCustomError(registry, expected.error)
                .withArgs(...expected.args);
              reverted++;
            }
            // The action's block is the latest: the views now read the model's time.
            expect(BigInt(await time.latest())).to.equal(now);
            await expectInvariants(registry, model, touched);
            for (const signer of signers) {
              expect(await registry.profileIdOf(signer.address)).to.equal(
                model.idOf.get(signer.address) ?? 0n,
              );
              expect(await registry.nonces(signer.address)).to.equal(
                model.nonces.get(signer.address) ?? 0n,
              );
            }
          }
          const all = Array.from({ length: HANDLES.length + 1 }, (_, i) => BigInt(i + 1));
          await expectInvariants(registry, model, all);
        },
      ),
      { numRuns: INVARIANT_RUNS, seed: FUZZ_SEED },
    );
    // Both outcomes must be common, or the sequences explore little.
    const succeeded = [...succeededBy.values()].reduce((a, b) => a + b, 0);
    console.log(`      succeeded: ${JSON.stringify(Object.fromEntries(succeededBy))}`);
    console.log(`      reverted as the model predicted: ${reverted}`);
    expect(succeeded).to.be.greaterThan(INVARIANT_RUNS * INVARIANT_STEPS * 0.1);
    expect(reverted).to.be.greaterThan(INVARIANT_RUNS * INVARIANT_STEPS * 0.1);
  });
});
