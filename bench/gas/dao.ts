import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import { DAO_DEFAULTS, deployDao } from "../../deploy/dao";
import { TestERC20Permit__factory, ProfileRegistry__factory } from "../../typechain-types";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was dropped");
  return Number(receipt.gasUsed);
}

/**
 * Gas used by the tipping and DAO transactions (whole transaction). Token tips and distributions
 * are measured in their steady state: the creator's token fee slot and the bucket balances are
 * already non-zero. An ETH tip writes no storage of the tip jar, so its first and later costs are
 * the same (`ethTipToProfileFirst` shows it).
 */
export async function measureDao(): Promise<Record<string, number>> {
  const [deployer, holder, creator1, creator2, creator3, tipper, operations] =
    await ethers.getSigners();
  const registry = await new ProfileRegistry__factory(deployer).deploy();
  const creators = [creator1, creator2, creator3];
  for (const [i, creator] of creators.entries()) {
    await (await registry.connect(creator).register(`creator_${i}`, "ipfs://profile")).wait();
  }
  await (await registry.connect(creator1).post(1n, "ipfs://post")).wait();
  const postId = (1n << 64n) | 1n;

  const { governor, revenueSplit, tipJar, timelock } = await deployDao(deployer, {
    ...DAO_DEFAULTS,
    profileRegistry: await registry.getAddress(),
    distribution: [{ holder: holder.address, amount: parseEther("1000000"), selfDelegate: true }],
    buckets: [
      { recipient: operations.address, bps: 5_000 },
      { recipient: "timelock", bps: 3_000 },
    ],
  });
  const coin = await new TestERC20Permit__factory(deployer).deploy("Coin");
  await (await coin.mint(tipper.address, parseEther("1000"))).wait();
  await (await coin.connect(tipper).approve(await tipJar.getAddress(), ethers.MaxUint256)).wait();
  const coinAddress = await coin.getAddress();

  const jar = tipJar.connect(tipper);
  const value = parseEther("0.01");
  const figures: Record<string, number> = {};

  figures.ethTipToProfileFirst = await gasOf(jar.tipETH(1n, "", { value }));
  figures.ethTipToProfile = await gasOf(jar.tipETH(1n, "", { value }));
  figures.ethTipToPost = await gasOf(jar.tipPostETH(postId, "", { value }));
  await (await jar.tipToken(1n, coinAddress, value, "")).wait();
  figures.tokenTip = await gasOf(jar.tipToken(1n, coinAddress, value, ""));
  const batch = [1n, 2n, 3n].map((profileId) => ({ profileId, postId: 0n, amount: value }));
  await (await jar.tipETHBatch(batch, "", { value: value * 3n })).wait();
  figures.ethBatchTip3 = await gasOf(jar.tipETHBatch(batch, "", { value: value * 3n }));
  await (await jar.tipTokenBatch(coinAddress, batch, "")).wait();
  figures.tokenBatchTip3 = await gasOf(jar.tipTokenBatch(coinAddress, batch, ""));
  figures.sweepETH = await gasOf(jar.sweepETH());

  // Distribute and withdraw once first, so the figures are for slots that are already non-zero.
  const split = revenueSplit.connect(operations);
  const feesArrive = async () => {
    await (await jar.tipETH(2n, "", { value })).wait();
    await (await jar.sweepETH()).wait();
  };
  await (await split.distribute(ethers.ZeroAddress)).wait();
  await (await split.withdraw(ethers.ZeroAddress, operations.address)).wait();
  await feesArrive();
  await (await split.distribute(ethers.ZeroAddress)).wait();
  await feesArrive();
  figures.distribute = await gasOf(split.distribute(ethers.ZeroAddress));
  figures.withdraw = await gasOf(split.withdraw(ethers.ZeroAddress, operations.address));

  const gov = governor.connect(holder);
  const targets = [await tipJar.getAddress()];
  const calldatas = [tipJar.interface.encodeFunctionData("setFeeBps", [300])];
  const description = "Raise the tip fee to 3%";
  figures.propose = await gasOf(gov.propose(targets, [0n], calldatas, description));
  const proposalId = await gov.hashProposal(targets, [0n], calldatas, ethers.id(description));
  await time.increase(DAO_DEFAULTS.votingDelay + 1);
  figures.castVote = await gasOf(gov.castVote(proposalId, 1));
  await time.increase(DAO_DEFAULTS.votingPeriod);
  figures.queue = await gasOf(gov.queue(targets, [0n], calldatas, ethers.id(description)));
  await time.increase(DAO_DEFAULTS.timelockDelay);
  figures.execute = await gasOf(gov.execute(targets, [0n], calldatas, ethers.id(description)));
  if ((await tipJar.feeBps()) !== 300n || (await timelock.getMinDelay()) === 0n) {
    throw new Error("governance round trip did not apply");
  }

  // Tips brought by an app that has referred tips before (its balance slots are non-zero).
  const app = operations.address;
  await (await jar.tipETHWithReferrer(1n, "", app, { value })).wait();
  figures.ethTipToProfileWithReferrer = await gasOf(jar.tipETHWithReferrer(1n, "", app, { value }));
  figures.ethTipToPostWithReferrer = await gasOf(
    jar.tipPostETHWithReferrer(postId, "", app, { value }),
  );
  await (await jar.tipTokenWithReferrer(1n, coinAddress, value, "", app)).wait();
  figures.tokenTipWithReferrer = await gasOf(
    jar.tipTokenWithReferrer(1n, coinAddress, value, "", app),
  );
  figures.ethBatchTip3WithReferrer = await gasOf(
    jar.tipETHBatchWithReferrer(batch, "", app, { value: value * 3n }),
  );
  figures.tokenBatchTip3WithReferrer = await gasOf(
    jar.tipTokenBatchWithReferrer(coinAddress, batch, "", app),
  );
  figures.withdrawReferrerFeesETH = await gasOf(
    tipJar.connect(operations).withdrawReferrerFees(ethers.ZeroAddress, app),
  );
  return figures;
}
