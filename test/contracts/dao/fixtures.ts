import { ethers } from "hardhat";
import { impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySuite } from "../../../deploy/suite";
import type { SuiteOptions } from "../../../deploy/suite";
import { TestERC20Permit__factory } from "../../../typechain-types";
import type { ProfileRegistry } from "../../../typechain-types";

export const HOLDER_AMOUNT = parseEther("1000000");

/** Registers a profile for `owner` and returns its id. */
export async function registerProfile(
  registry: ProfileRegistry,
  owner: HardhatEthersSigner,
  handle: string,
): Promise<bigint> {
  const id = await registry.connect(owner).register.staticCall(handle, "ipfs://profile");
  await (await registry.connect(owner).register(handle, "ipfs://profile")).wait();
  return id;
}

/** Publishes a post by `authorId` and returns its id. */
export async function publishPost(
  registry: ProfileRegistry,
  author: HardhatEthersSigner,
  authorId: bigint,
): Promise<bigint> {
  const id = await registry.connect(author).post.staticCall(authorId, "ipfs://post");
  await (await registry.connect(author).post(authorId, "ipfs://post")).wait();
  return id;
}

/**
 * The suite as deployed by `deploySuite` (so tests run the deployment's own wiring) with the DAO
 * defaults and: three holders (two self-delegated at deployment, one not), two creator profiles,
 * the first with a post, an operations bucket (50%) and the treasury bucket (30%).
 */
export async function daoFixture() {
  const [deployer, alice, bob, carol, creator1, creator2, tipper, operations, stranger] =
    await ethers.getSigners();
  const options = {
    dao: {
      distribution: [
        { holder: alice.address, amount: HOLDER_AMOUNT, selfDelegate: true },
        { holder: bob.address, amount: HOLDER_AMOUNT, selfDelegate: true },
        { holder: carol.address, amount: HOLDER_AMOUNT, selfDelegate: false },
      ],
      buckets: [
        { recipient: operations.address, bps: 5_000 },
        { recipient: "timelock", bps: 3_000 },
      ],
    },
  } satisfies SuiteOptions;
  const suite = await deploySuite(deployer, options);
  const registry = suite.profileRegistry.contract;
  const creator1Id = await registerProfile(registry, creator1, "creator_one");
  const creator2Id = await registerProfile(registry, creator2, "creator_two");
  const post1Id = await publishPost(registry, creator1, creator1Id);

  const tokenA = await new TestERC20Permit__factory(deployer).deploy("TokenA");
  const tokenB = await new TestERC20Permit__factory(deployer).deploy("TokenB");
  for (const token of [tokenA, tokenB]) {
    await (await token.mint(tipper.address, parseEther("1000000"))).wait();
  }

  return {
    suite,
    options,
    token: suite.governanceToken.contract,
    timelock: suite.timelock.contract,
    governor: suite.governor.contract,
    revenueSplit: suite.revenueSplit.contract,
    tipJar: suite.tipJar.contract,
    registry,
    tokenA,
    tokenB,
    deployer,
    alice,
    bob,
    carol,
    creator1,
    creator2,
    tipper,
    operations,
    stranger,
    creator1Id,
    creator2Id,
    post1Id,
  };
}

/** The timelock as a signer, for tests of what only governance may do. */
export async function timelockSigner(timelockAddress: string) {
  await impersonateAccount(timelockAddress);
  await setBalance(timelockAddress, parseEther("1000"));
  return ethers.getSigner(timelockAddress);
}
