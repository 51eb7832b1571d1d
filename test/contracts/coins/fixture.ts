import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { creatorCoinAt, deployCoins } from "../../../deploy/coins";
import {
  ProfileRegistry__factory,
  RevenueSinkRecorder__factory,
  type CreatorCoin,
  type CreatorCoinFactory,
  type ProfileRegistry,
  type RevenueSinkRecorder,
} from "../../../typechain-types";
import type { CoinState } from "../../../sdk/curve";

export const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";
/** A deadline far in the future. */
export const FAR = 2n ** 40n;
export const ONE = 10n ** 18n;
export const PROTOCOL_BPS = 100n;
export const CREATOR_BPS = 500n;

export interface CoinsFixture {
  registry: ProfileRegistry;
  sink: RevenueSinkRecorder;
  factory: CreatorCoinFactory;
  /** Alice's launched coin, not traded yet. */
  coin: CreatorCoin;
  aliceId: bigint;
  bobId: bigint;
  deployer: HardhatEthersSigner;
  governance: HardhatEthersSigner;
  /** Owner of profile `alice` and of `coin`. */
  alice: HardhatEthersSigner;
  /** Owner of profile `bob`, which has no coin yet. */
  bob: HardhatEthersSigner;
  traders: HardhatEthersSigner[];
}

/** Registry, revenue sink and coin factory; alice launched her coin; nobody traded. */
export async function launchedCoin(): Promise<CoinsFixture> {
  const [deployer, governance, alice, bob, ...traders] = await hre.ethers.getSigners();
  const registry = await new ProfileRegistry__factory(deployer).deploy();
  const sink = await new RevenueSinkRecorder__factory(deployer).deploy();
  const { creatorCoinFactory } = await deployCoins(
    deployer,
    await registry.getAddress(),
    await sink.getAddress(),
    governance.address,
    PROTOCOL_BPS,
  );
  const factory = creatorCoinFactory.contract;
  await (await registry.connect(alice).register("alice", URI)).wait();
  await (await registry.connect(bob).register("bob_2", URI)).wait();
  const aliceId = await registry.profileIdOf(alice.address);
  const bobId = await registry.profileIdOf(bob.address);
  await (await factory.connect(alice).launch(aliceId, CREATOR_BPS, 0n, FAR)).wait();
  const coin = creatorCoinAt(await factory.coinOf(aliceId), alice);
  return {
    registry,
    sink,
    factory,
    coin,
    aliceId,
    bobId,
    deployer,
    governance,
    alice,
    bob,
    traders: traders.slice(0, 6),
  };
}

/** `launchedCoin`, then traders[0] bought for 1 ETH and traders[1] for 2 ETH. */
export async function tradedCoin(): Promise<CoinsFixture> {
  const f = await launchedCoin();
  const [t0, t1] = f.traders;
  await (await f.coin.connect(t0).buyExactIn(0n, FAR, t0.address, { value: ONE })).wait();
  await (await f.coin.connect(t1).buyExactIn(0n, FAR, t1.address, { value: 2n * ONE })).wait();
  return f;
}

/** The coin's state as the TypeScript reference needs it. */
export async function coinState(coin: CreatorCoin): Promise<CoinState> {
  const [supply, protocolFeeBps, creatorFeeBps] = await Promise.all([
    coin.totalSupply(),
    coin.protocolFeeBps(),
    coin.creatorFeeBps(),
  ]);
  return { supply, protocolFeeBps, creatorFeeBps };
}

/** The `Traded` event of a mined transaction. */
export async function tradedEvent(
  coin: CreatorCoin,
  tx: { wait(): Promise<{ logs: readonly unknown[] } | null> },
) {
  const receipt = await tx.wait();
  if (!receipt) throw new Error("transaction dropped");
  for (const log of receipt.logs as Parameters<typeof coin.interface.parseLog>[0][]) {
    const parsed = coin.interface.parseLog(log);
    if (parsed?.name === "Traded") return parsed.args;
  }
  throw new Error("no Traded event");
}
