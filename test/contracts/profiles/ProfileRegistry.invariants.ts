import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import fc from "fast-check";
import { postIdOf } from "../../../sdk/handles";
import type { ProfileRegistry } from "../../../typechain-types";
import { URI, registryFixture } from "./fixture";

const INVARIANT_RUNS = Number(process.env.INVARIANT_RUNS ?? 6);
const INVARIANT_STEPS = Number(process.env.INVARIANT_STEPS ?? 25);
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** Six handles bound the run to six profiles, so that handles collide and ids get reused often. */
const HANDLES = ["ann", "bea", "cid", "dee", "eve_1", "fay"];
const ACTORS = 5;
/** Profile ids tried: every possible one plus one past the largest. */
const PROFILE_ID = fc.integer({ min: 1, max: HANDLES.length + 1 });
const ACTOR = fc.integer({ min: 0, max: ACTORS - 1 });
/** An actor index, or -1 for the zero address. */
const ADDRESS = fc.integer({ min: -1, max: ACTORS - 1 });

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
  fc.record({
    kind: fc.constant("changeHandle" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    handle: fc.nat(5),
  }),
  fc.record({
    kind: fc.constant("offerTransfer" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    to: ADDRESS,
  }),
  fc.record({
    kind: fc.constant("acceptTransfer" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
  }),
  fc.record({
    kind: fc.constant("setRecovery" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    to: ADDRESS,
  }),
  fc.record({
    kind: fc.constant("recover" as const),
    actor: ACTOR,
    profileId: PROFILE_ID,
    mine: MINE,
    to: ADDRESS,
  }),
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
);
type Action = typeof actionArb extends fc.Arbitrary<infer A> ? A : never;

/** What the registry should hold: the reference the chain is compared with after every step. */
class Model {
  count = 0n;
  owner = new Map<bigint, string>();
  handle = new Map<bigint, string>();
  postCount = new Map<bigint, bigint>();
  pending = new Map<bigint, string>();
  recovery = new Map<bigint, string>();
  idOf = new Map<string, bigint>();

  holderOf(handle: string): bigint | undefined {
    for (const [id, h] of this.handle) if (h === handle) return id;
    return undefined;
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
    if (kind === "acceptTransfer" || kind === "recover") {
      const grants = [...(kind === "acceptTransfer" ? this.pending : this.recovery)].filter(
        ([, holder]) => actors.includes(holder),
      );
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
    this.pending.delete(id);
    this.recovery.delete(id);
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

async function expectInvariants(
  registry: ProfileRegistry,
  model: Model,
  ids: Iterable<bigint>,
): Promise<void> {
  expect(await registry.profileCount()).to.equal(model.count);
  for (const id of new Set(ids)) {
    if (id < 1n || id > model.count) {
      expect(await registry.ownerOf(id)).to.equal(ethers.ZeroAddress);
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
    expect(await registry.pendingOwnerOf(id)).to.equal(model.pending.get(id) ?? ethers.ZeroAddress);
    expect(await registry.recoveryOf(id)).to.equal(model.recovery.get(id) ?? ethers.ZeroAddress);
  }
}

describe("ProfileRegistry: invariants under random action sequences", function () {
  it(`hold after every step of ${INVARIANT_RUNS} runs of ${INVARIANT_STEPS} actions by ${ACTORS} actors`, async function () {
    const signers = (await ethers.getSigners()).slice(1, 1 + ACTORS);
    const addressOf = (i: number) => (i < 0 ? ethers.ZeroAddress : signers[i].address);
    const succeededBy = new Map<Action["kind"], number>();
    let reverted = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: INVARIANT_STEPS, maxLength: INVARIANT_STEPS }),
        async (actions: Action[]) => {
          const { registry } = await loadFixture(registryFixture);
          const model = new Model();
          // Three actors start with a profile, so that most sequences act from the first step.
          for (const [i, handle] of HANDLES.slice(0, 3).entries()) {
            await registry.connect(signers[i]).register(handle, URI);
            const id = BigInt(i + 1);
            model.count = id;
            model.owner.set(id, signers[i].address);
            model.handle.set(id, handle);
            model.idOf.set(signers[i].address, id);
          }
          for (const action of actions) {
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
                const existing = model.idOf.get(caller.address);
                const holder = model.holderOf(handle);
                if (existing !== undefined)
                  expected = { error: "ProfileAlreadyOwned", args: [caller.address, existing] };
                else if (holder !== undefined)
                  expected = { error: "ProfileHandleTaken", args: [handle, holder] };
                const id = model.count + 1n;
                touched.push(id);
                send = () => as.register(handle, URI);
                apply = () => {
                  model.count = id;
                  model.owner.set(id, caller.address);
                  model.handle.set(id, handle);
                  model.idOf.set(caller.address, id);
                };
                break;
              }
              case "changeHandle": {
                const id = profileId;
                const handle = HANDLES[action.handle];
                const holder = model.holderOf(handle);
                expected =
                  ownerCheck(model, id, caller.address) ??
                  (holder !== undefined
                    ? { error: "ProfileHandleTaken", args: [handle, holder] }
                    : null);
                touched.push(id);
                send = () => as.changeHandle(id, handle);
                apply = () => model.handle.set(id, handle);
                break;
              }
              case "offerTransfer": {
                const id = profileId;
                const to = action.mine ? receiver(action.to) : addressOf(action.to);
                expected =
                  ownerCheck(model, id, caller.address) ??
                  (to === caller.address ? { error: "ProfileInvalidAddress", args: [to] } : null);
                touched.push(id);
                send = () => as.offerTransfer(id, to);
                apply = () => model.pending.set(id, to);
                break;
              }
              case "acceptTransfer": {
                const id = profileId;
                const existing = model.idOf.get(caller.address);
                if (model.pending.get(id) !== caller.address)
                  expected = { error: "ProfileNoTransferOffer", args: [id, caller.address] };
                else if (existing !== undefined)
                  expected = { error: "ProfileAlreadyOwned", args: [caller.address, existing] };
                touched.push(id);
                send = () => as.acceptTransfer(id);
                apply = () => model.move(id, caller.address);
                break;
              }
              case "setRecovery": {
                const id = profileId;
                const to = addressOf(action.to);
                expected = ownerCheck(model, id, caller.address);
                touched.push(id);
                send = () => as.setRecovery(id, to);
                apply = () => model.recovery.set(id, to);
                break;
              }
              case "recover": {
                const id = profileId;
                const to = action.mine ? receiver(action.to) : addressOf(action.to);
                const existing = model.idOf.get(to);
                if (!model.owner.has(id)) expected = { error: "ProfileNotFound", args: [id] };
                else if (model.recovery.get(id) !== caller.address)
                  expected = { error: "ProfileUnauthorized", args: [id, caller.address] };
                else if (to === ethers.ZeroAddress)
                  expected = { error: "ProfileInvalidAddress", args: [to] };
                else if (existing !== undefined)
                  expected = { error: "ProfileAlreadyOwned", args: [to, existing] };
                touched.push(id);
                send = () => as.recover(id, to);
                apply = () => model.move(id, to);
                break;
              }
              case "post": {
                const id = profileId;
                expected = ownerCheck(model, id, caller.address);
                touched.push(id);
                send = () => as.post(id, URI);
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
                send = () => as.react(id, postId, 1);
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
            await expectInvariants(registry, model, touched);
            for (const signer of signers) {
              expect(await registry.profileIdOf(signer.address)).to.equal(
                model.idOf.get(signer.address) ?? 0n,
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
