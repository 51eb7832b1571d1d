import { expect } from "chai";
import { encodeFunctionData } from "viem";
import { AgoraGovernorAbi } from "../../abi/AgoraGovernor";
import { AgoraTimelockAbi } from "../../abi/AgoraTimelock";
import { CreatorCoinFactoryAbi } from "../../abi/CreatorCoinFactory";
import { TipJarAbi } from "../../abi/TipJar";

const ADDRESSES = {
  TipJar: "0x00000000000000000000000000000000000000a1",
  CreatorCoinFactory: "0x00000000000000000000000000000000000000a2",
  AgoraGovernor: "0x00000000000000000000000000000000000000a3",
  AgoraTimelock: "0x00000000000000000000000000000000000000a4",
} as const;

/** The app's proposal decoder, read as the page does with a deployment's configuration. */
describe("the app's proposal decoder", function () {
  let decodeAction: typeof import("../../app/src/dao/decode").decodeAction;

  before(async function () {
    const contracts = Object.fromEntries(
      Object.entries(ADDRESSES).map(([name, address]) => [name, { address, blockNumber: 0 }]),
    );
    (globalThis as { window?: unknown }).window = {
      __AGORA_CONFIG__: { network: "test", chainId: 1, rpcUrl: "", apiUrl: "", contracts },
    };
    ({ decodeAction } = await import("../../app/src/dao/decode"));
  });

  after(function () {
    delete (globalThis as { window?: unknown }).window;
  });

  const cases: [keyof typeof ADDRESSES, string, string][] = [
    [
      "TipJar",
      encodeFunctionData({ abi: TipJarAbi, functionName: "setReferrerShareBps", args: [2_500] }),
      "Give referrers 25% of the tip protocol fee (the apps that bring tips)",
    ],
    [
      "CreatorCoinFactory",
      encodeFunctionData({
        abi: CreatorCoinFactoryAbi,
        functionName: "setReferrerShareBps",
        args: [1_000n],
      }),
      "Give referrers 10% of every coin's protocol fee (the apps that bring trades) from 7 days after execution",
    ],
    [
      "TipJar",
      encodeFunctionData({ abi: TipJarAbi, functionName: "setFeeBps", args: [150] }),
      "Set the tip fee to 1.50%",
    ],
    [
      "AgoraGovernor",
      encodeFunctionData({
        abi: AgoraGovernorAbi,
        functionName: "setVotingPeriod",
        args: [604_800],
      }),
      "Set the voting period to 7 days",
    ],
    [
      "AgoraGovernor",
      encodeFunctionData({
        abi: AgoraGovernorAbi,
        functionName: "updateQuorumNumerator",
        args: [4n],
      }),
      "Set the quorum to 4% of the votes",
    ],
    [
      "AgoraTimelock",
      encodeFunctionData({ abi: AgoraTimelockAbi, functionName: "updateDelay", args: [7_200n] }),
      "Set the timelock delay to 2 hours",
    ],
  ];

  for (const [contract, calldata, summary] of cases) {
    it(`says "${summary}"`, function () {
      expect(decodeAction(ADDRESSES[contract], calldata)).to.include({
        known: true,
        contract,
        summary,
      });
    });
  }

  it("flags a target that is not an Agora contract", function () {
    const calldata = encodeFunctionData({ abi: TipJarAbi, functionName: "setFeeBps", args: [1] });
    expect(decodeAction("0x00000000000000000000000000000000000000ff", calldata).known).to.equal(
      false,
    );
  });
});
