import { expect } from "chai";
import hre from "hardhat";
import { parseEther, ZeroAddress } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { id as hashText } from "ethers";
import {
  decodeEventLog,
  encodeAbiParameters,
  keccak256,
  parseAbi,
  toEventSelector,
  toHex,
  type Abi,
  type AbiEvent,
  type AbiParameter,
} from "viem";
import { DAO_DEFAULTS } from "../../deploy/dao";
import { toDeploymentFile } from "../../deploy/deployment";
import { deploySuite, type Suite } from "../../deploy/suite";
import { HANDLERS } from "../../indexer/handlers";
import {
  compileEventDecoder,
  createLogDecoder,
  DecodeError,
  DecodedString,
  type DecodedValue,
} from "../../indexer/sync/decode";
import type { RpcLog } from "../../indexer/sync/rpc";

/** viem's values in the decoder's conventions: integers as bigint, addresses lowercase. */
function normalize(param: AbiParameter, value: unknown): unknown {
  const array = /^(.*)\[\d*\]$/.exec(param.type);
  if (array) {
    const element = { ...param, type: array[1] } as AbiParameter;
    return (value as unknown[]).map((item) => normalize(element, item));
  }
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    return Object.fromEntries(
      components.map((c) => [c.name, normalize(c, (value as Record<string, unknown>)[c.name!])]),
    );
  }
  if (/^u?int/.test(param.type)) return BigInt(value as number);
  if (param.type === "address") return (value as string).toLowerCase();
  // Every string sent here is well-formed UTF-8: its display text is itself, with no bytes kept.
  if (param.type === "string") return new DecodedString(value as string, null);
  return value;
}

describe("indexer: event decoder", function () {
  let suite: Suite;
  let logs: RpcLog[];

  before(async function () {
    const [deployer, alice, bob] = await hre.ethers.getSigners();
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const governor = suite.governor.contract;
    const split = suite.revenueSplit.contract;
    await (await registry.connect(alice).register("decode_alice", "ipfs://a")).wait();
    await (await registry.connect(alice).post(1, "ipfs://p")).wait();
    await (await registry.connect(alice).react(1, (1n << 64n) | 1n, 2)).wait();
    // Every ownership event: handle change, offer, first and scheduled recovery, recovery
    // offer, burnt nonce.
    await (await registry.connect(alice).changeHandle(1, "decode_alice_2")).wait();
    await (await registry.connect(alice).offerTransfer(1, deployer.address, 2n ** 40n)).wait();
    await (await registry.connect(alice).setRecovery(1, bob.address)).wait();
    await (await registry.connect(alice).setRecovery(1, deployer.address)).wait();
    await (await registry.connect(bob).recover(1, deployer.address)).wait();
    await (await registry.connect(alice).burnNonce()).wait();
    await (
      await suite.tipJar.contract.connect(bob).tipETH(1, "ünïcode ✓", { value: parseEther("1") })
    ).wait();
    await (await suite.tipJar.contract.sweepETH()).wait();
    await (await split.distribute(ZeroAddress)).wait();
    await (await suite.governanceToken.contract.transfer(alice.address, 10n ** 24n)).wait();
    await (await suite.governanceToken.contract.connect(alice).delegate(bob.address)).wait();
    // A proposal with several calls of different lengths, then votes with and without params.
    const targets = [suite.revenueSplit.address, suite.tipJar.address];
    const calldatas = [
      split.interface.encodeFunctionData("setAllocation", [
        [
          { recipient: alice.address, bps: 4_000 },
          { recipient: bob.address, bps: 3_000 },
          { recipient: deployer.address, bps: 1_000 },
        ],
        2_000,
      ]),
      suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [100]),
    ];
    const description = "Decode me";
    await (await governor.propose(targets, [0n, 0n], calldatas, description)).wait();
    const proposalId = await governor.hashProposal(
      targets,
      [0n, 0n],
      calldatas,
      hashText(description),
    );
    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.castVoteWithReason(proposalId, 1, "yes")).wait();
    await (
      await governor.connect(bob).castVoteWithReasonAndParams(proposalId, 2, "", "0xabcdef")
    ).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    await (await governor.queue(targets, [0n, 0n], calldatas, hashText(description))).wait();
    await time.increase(DAO_DEFAULTS.timelockDelay);
    await (await governor.execute(targets, [0n, 0n], calldatas, hashText(description))).wait();

    logs = (await hre.network.provider.request({
      method: "eth_getLogs",
      params: [{ fromBlock: "0x0", toBlock: "latest" }],
    })) as RpcLog[];
  });

  const address = (contract: string) =>
    toDeploymentFile("test", 31337, suite).contracts[contract].address;

  it("gives viem's values for every event of every handler, with lowercase addresses", async function () {
    const contracts = HANDLERS.map((handler) => ({
      contract: handler.contract,
      address: address(handler.contract),
      events: handler.events,
    }));
    const decoded = createLogDecoder(contracts)(logs, () => 7n);
    const kinds = new Set<string>();
    const known = logs.filter((log) =>
      contracts.some(
        (c) =>
          c.address.toLowerCase() === log.address.toLowerCase() &&
          c.events.some((e) => toEventSelector(e) === log.topics[0]),
      ),
    );
    expect(decoded).to.have.length(known.length);
    decoded.forEach((log, i) => {
      const events = contracts.find((c) => c.contract === log.contract)!.events;
      const event = events.find((e) => e.name === log.event)!;
      const reference = decodeEventLog({
        abi: [event] as Abi,
        data: known[i].data as `0x${string}`,
        topics: known[i].topics as [`0x${string}`],
      });
      const args = reference.args as unknown as Record<string, unknown>;
      const expected = Object.fromEntries(
        event.inputs.map((input) => [input.name!, normalize(input, args[input.name!])]),
      );
      expect(log.args, log.event).to.deep.equal(expected);
      expect(log.timestamp).to.equal(7n);
      kinds.add(`${log.contract}.${log.event}`);
    });
    for (const kind of [
      "RevenueSplit.AllocationChanged",
      "AgoraGovernor.ProposalCreated",
      "AgoraGovernor.VoteCastWithParams",
      "AgoraTimelock.CallScheduled",
      "TipJar.Tipped",
      "ProfileRegistry.Reacted",
      "ProfileRegistry.HandleChanged",
      "ProfileRegistry.ProfileTransferOffered",
      "ProfileRegistry.RecoverySet",
      "ProfileRegistry.RecoveryChangeScheduled",
      "ProfileRegistry.ProfileRecoveryOffered",
      "ProfileRegistry.NonceUsed",
    ]) {
      expect(kinds, kind).to.include(kind);
    }
  });

  it("decodes a tuple array into objects and string/bytes arrays into arrays", function () {
    const [allocation] = parseAbi([
      "struct Bucket { address recipient; uint16 bps; }",
      "event AllocationChanged(Bucket[] buckets, uint16 creatorShareBps)",
    ]) as unknown as AbiEvent[];
    const recipient = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01";
    const data = encodeAbiParameters(allocation.inputs, [
      [
        { recipient, bps: 7_000 },
        { recipient: ZeroAddress, bps: 1 },
      ],
      2_999,
    ]);
    const args = compileEventDecoder(allocation)({
      topics: [toEventSelector(allocation)],
      data,
    } as RpcLog);
    expect(args).to.deep.equal({
      buckets: [
        { recipient: recipient.toLowerCase(), bps: 7_000n },
        { recipient: ZeroAddress, bps: 1n },
      ],
      creatorShareBps: 2_999n,
    } satisfies Record<string, DecodedValue>);

    const [listedEvent] = parseAbi([
      "event Listed(uint256 indexed id, string indexed tag, string[] names, bytes[] blobs, int8[] deltas)",
    ]) as unknown as AbiEvent[];
    const tagTopic = keccak256(toHex("tag"));
    const listed = compileEventDecoder(listedEvent)({
      topics: [toEventSelector(listedEvent), "0x" + "0".repeat(63) + "9", tagTopic],
      data: encodeAbiParameters(listedEvent.inputs.slice(2), [
        ["", "ü"],
        ["0xDEAD", "0x"],
        [-1, 127],
      ]),
    } as RpcLog);
    // An indexed string is only its hash on chain: the decoder gives the topic.
    expect(listed).to.deep.equal({
      id: 9n,
      tag: tagTopic,
      names: [new DecodedString("", null), new DecodedString("ü", null)],
      blobs: ["0xdead", "0x"],
      deltas: [-1n, 127n],
    });
  });

  it("refuses logs that do not fit the layout, with the event named", function () {
    const [allocation] = parseAbi([
      "struct Bucket { address recipient; uint16 bps; }",
      "event AllocationChanged(Bucket[] buckets, uint16 creatorShareBps)",
    ]) as unknown as AbiEvent[];
    const decode = compileEventDecoder(allocation);
    const topic = toEventSelector(allocation);
    expect(() => decode({ topics: [topic], data: "0x1234" } as RpcLog)).to.throw(
      DecodeError,
      /AllocationChanged/,
    );
    expect(() => decode({ topics: [topic, topic], data: "0x" } as RpcLog)).to.throw(
      DecodeError,
      /expected 1 topics, got 2/,
    );
  });
});
