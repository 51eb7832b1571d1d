import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployCoins, creatorCoinAt } from "../../deploy/coins";
import { ProfileRegistry__factory, RevenueSinkRecorder__factory } from "../../typechain-types";

const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";
const DEADLINE = 2n ** 40n;
const ONE = 10n ** 18n;

async function gasOf(
  tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>,
): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

/**
 * Gas of every creator coin operation (whole transaction), in steady state: trades on a coin
 * that has traded before, fees of 1% protocol and 5% creator.
 */
export async function measureCoins(): Promise<Record<string, number>> {
  const [deployer, governance, alice, bob, carol, dave, erin, frank, app] =
    await hre.ethers.getSigners();
  const registry = await new ProfileRegistry__factory(deployer).deploy();
  const sink = await new RevenueSinkRecorder__factory(deployer).deploy();
  const { creatorCoinFactory } = await deployCoins(
    deployer,
    await registry.getAddress(),
    await sink.getAddress(),
    governance.address,
  );
  const factory = creatorCoinFactory.contract;
  for (const [signer, handle] of [
    [alice, "alice"],
    [bob, "bob"],
  ] as const) {
    await (await registry.connect(signer).register(handle, URI)).wait();
  }
  const aliceId = await registry.profileIdOf(alice.address);
  const bobId = await registry.profileIdOf(bob.address);

  const figures: Record<string, number> = {};
  figures["launch"] = await gasOf(factory.connect(alice).launch(aliceId, 500n, 0n, DEADLINE));
  figures["launch with initial buy (0.1 ETH)"] = await gasOf(
    factory.connect(bob).launch(bobId, 500n, 0n, DEADLINE, { value: ONE / 10n }),
  );
  const coin = creatorCoinAt(await factory.coinOf(aliceId), alice);
  await (await coin.connect(alice).buyExactIn(0n, DEADLINE, alice.address, { value: ONE })).wait();
  figures["buy by new holder (exact in)"] = await gasOf(
    coin.connect(carol).buyExactIn(0n, DEADLINE, carol.address, { value: ONE / 10n }),
  );
  figures["buy by existing holder (exact in)"] = await gasOf(
    coin.connect(carol).buyExactIn(0n, DEADLINE, carol.address, { value: ONE / 10n }),
  );
  figures["buy exact out (existing holder)"] = await gasOf(
    coin.connect(carol).buyExactOut(ONE, ONE, DEADLINE, carol.address, { value: ONE }),
  );
  figures["sell (half a balance)"] = await gasOf(
    coin.connect(carol).sellExactIn(ONE / 2n, 0n, DEADLINE, carol.address),
  );
  await (await coin.connect(dave).buyExactIn(0n, DEADLINE, dave.address, { value: ONE })).wait();
  figures["sell all"] = await gasOf(
    coin.connect(dave).sellExactIn(await coin.balanceOf(dave.address), 0n, DEADLINE, dave.address),
  );
  figures["withdraw creator fees"] = await gasOf(
    coin.connect(alice).withdrawCreatorFees(alice.address),
  );
  figures["sweep protocol fees"] = await gasOf(coin.connect(carol).sweepProtocolFees());
  figures["schedule creator fee"] = await gasOf(coin.connect(alice).scheduleCreatorFee(300n));

  // Trades brought by an app that has referred trades on this coin before (its balance slot is
  // non-zero), as in steady state.
  const referred = coin.connect(erin);
  await (
    await referred.buyExactInWithReferrer(0n, DEADLINE, erin.address, app.address, { value: ONE })
  ).wait();
  figures["buy by new holder with referrer (exact in)"] = await gasOf(
    coin
      .connect(frank)
      .buyExactInWithReferrer(0n, DEADLINE, frank.address, app.address, { value: ONE / 10n }),
  );
  figures["buy by existing holder with referrer (exact in)"] = await gasOf(
    referred.buyExactInWithReferrer(0n, DEADLINE, erin.address, app.address, { value: ONE / 10n }),
  );
  figures["buy exact out with referrer (existing holder)"] = await gasOf(
    referred.buyExactOutWithReferrer(ONE, ONE, DEADLINE, erin.address, app.address, {
      value: ONE,
    }),
  );
  figures["sell with referrer (half a balance)"] = await gasOf(
    referred.sellExactInWithReferrer(ONE / 2n, 0n, DEADLINE, erin.address, app.address),
  );
  figures["withdraw referrer fees"] = await gasOf(
    coin.connect(app).withdrawReferrerFees(app.address),
  );

  // Once per coin and at most every FEE_CHANGE_DELAY, a trade finds the coin's copy of the
  // factory's rates expired and reads them again.
  await time.increase(await factory.FEE_CHANGE_DELAY());
  figures["buy by existing holder, first trade after the rates copy expired"] = await gasOf(
    coin.connect(carol).buyExactIn(0n, DEADLINE, carol.address, { value: ONE / 10n }),
  );
  return figures;
}
