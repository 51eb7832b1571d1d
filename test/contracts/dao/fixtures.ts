import { ethers } from "hardhat";
import { impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DAO_DEFAULTS, deployDao } from "../../../deploy/dao";
import type { DaoConfig } from "../../../deploy/dao";
import { TestERC20Permit__factory, ProfileRegistry__factory } from "../../../typechain-types";
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
 * The DAO as deployed by `deployDao`: three holders (two self-delegated at deployment, one not),
 * two creator profiles with a post each, an operations bucket and the treasury bucket.
 */
export async function daoFixture() {
  const [deployer, alice, bob, carol, creator1, creator2, tipper, operations, stranger] =
    await ethers.getSigners();
  const registry = await new ProfileRegistry__factory(deployer).deploy();
  const creator1Id = await registerProfile(registry, creator1, "creator_one");
  const creator2Id = await registerProfile(registry, creator2, "creator_two");
  const post1Id = await publishPost(registry, creator1, creator1Id);

  const config: DaoConfig = {
    ...DAO_DEFAULTS,
    profileRegistry: await registry.getAddress(),
    distribution: [
      { holder: alice.address, amount: HOLDER_AMOUNT, selfDelegate: true },
      { holder: bob.address, amount: HOLDER_AMOUNT, selfDelegate: true },
      { holder: carol.address, amount: HOLDER_AMOUNT, selfDelegate: false },
    ],
    buckets: [
      { recipient: operations.address, bps: 5_000 },
      { recipient: "timelock", bps: 3_000 },
    ],
  };
  const dao = await deployDao(deployer, config);

  const tokenA = await new TestERC20Permit__factory(deployer).deploy("TokenA");
  const tokenB = await new TestERC20Permit__factory(deployer).deploy("TokenB");
  for (const token of [tokenA, tokenB]) {
    await (await token.mint(tipper.address, parseEther("1000000"))).wait();
  }

  return {
    ...dao,
    config,
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
