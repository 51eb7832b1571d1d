import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import ts from "typescript";
import {
  createPublicClient,
  createWalletClient,
  custom,
  parseSignature,
  zeroAddress,
  type Address,
  type PublicClient,
  type WalletClient,
} from "viem";
import { hardhat } from "viem/chains";
import { id as keccakText, parseEther, type Signer } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { AgoraGovernorAbi } from "../../abi/AgoraGovernor";
import { CreatorCoinAbi } from "../../abi/CreatorCoin";
import { GovernanceTokenAbi } from "../../abi/GovernanceToken";
import { MessagingAbi } from "../../abi/Messaging";
import { ProfileRegistryAbi } from "../../abi/ProfileRegistry";
import { TipJarAbi } from "../../abi/TipJar";
import { DAO_DEFAULTS } from "../../deploy/dao";
import { deploySuite, type Suite } from "../../deploy/suite";
import { randomMessagingKeyPair } from "../../sdk/messaging";

const DOC = path.resolve(__dirname, "../../docs/signing.md");

/** The `ts` blocks of docs/signing.md that start with `// example: <name>`, by name. */
function examples(): Map<string, string> {
  const found = new Map<string, string>();
  const text = fs.readFileSync(DOC, "utf8");
  for (const match of text.matchAll(/```ts\n\/\/ example: ([a-z-]+)\n([\s\S]*?)```/g))
    found.set(match[1], match[2]);
  return found;
}

/**
 * Runs an example as written: TypeScript transpiled, with `scope` (clients, addresses, ABIs,
 * viem's parseSignature and zeroAddress) as its free variables.
 */
async function run(code: string, scope: Record<string, unknown>): Promise<void> {
  const names = Object.keys(scope);
  const source = `module.exports = async function ({ ${names.join(", ")} }) {\n${code}\n};`;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  });
  const module = { exports: undefined as unknown };
  new Function("module", outputText)(module);
  await (module.exports as (scope: Record<string, unknown>) => Promise<void>)(scope);
}

describe("docs/signing.md", function () {
  let suite: Suite;
  let signers: Signer[];
  let publicClient: PublicClient;
  let chainId: number;
  const blocks = examples();
  const ids: Record<string, bigint> = {};
  let coin: Address;

  const wallet = async (signer: Signer): Promise<WalletClient> =>
    createWalletClient({
      account: (await signer.getAddress()) as Address,
      chain: hardhat,
      transport: custom(hre.network.provider),
    });
  const address = async (signer: Signer) => (await signer.getAddress()) as Address;

  async function scope(signer: Signer, extra: Record<string, unknown>) {
    const walletClient = await wallet(signer);
    return {
      walletClient,
      relayer: await wallet(signers[0]),
      publicClient,
      account: walletClient.account!.address,
      chainId,
      registry: suite.profileRegistry.address as Address,
      tipJar: suite.tipJar.address as Address,
      token: suite.governanceToken.address as Address,
      governor: suite.governor.address as Address,
      messaging: suite.messaging.address as Address,
      parseSignature,
      zeroAddress,
      ProfileRegistryAbi,
      CreatorCoinAbi,
      TipJarAbi,
      GovernanceTokenAbi,
      AgoraGovernorAbi,
      MessagingAbi,
      ...extra,
    };
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol] = signers;
    suite = await deploySuite(deployer);
    // The examples must count deadlines in chain time: a chain's clock can be far from the
    // wallet's (here, as on a test chain other suites have moved, it is a month ahead).
    await time.increase(30 * 24 * 3600);
    publicClient = createPublicClient({ chain: hardhat, transport: custom(hre.network.provider) });
    chainId = await publicClient.getChainId();
    const registry = suite.profileRegistry.contract;
    for (const [name, signer] of Object.entries({ alice, bob })) {
      await (await registry.connect(signer).register(name, `ipfs://${name}`)).wait();
      ids[name] = await registry.profileIdOf(await signer.getAddress());
    }
    const deadline = (await time.latest()) + 3600;
    await (
      await suite.creatorCoinFactory.contract.connect(bob).launch(ids.bob, 0n, 0n, deadline)
    ).wait();
    coin = (await suite.creatorCoinFactory.contract.coinOf(ids.bob)) as Address;
    const bobCoin = await hre.ethers.getContractAt("CreatorCoin", coin);
    await (
      await bobCoin.connect(alice).buyExactIn(0, deadline, await alice.getAddress(), {
        value: parseEther("0.1"),
      })
    ).wait();
    const token = suite.governanceToken.contract;
    await (await token.transfer(await alice.getAddress(), parseEther("5000000"))).wait();
    await (await token.transfer(await carol.getAddress(), parseEther("1000"))).wait();
    await (await token.connect(alice).delegate(await alice.getAddress())).wait();
  });

  it("has an example of each signed action", function () {
    expect([...blocks.keys()]).to.deep.equal([
      "register",
      "follow",
      "coin-permit",
      "tip-permit",
      "delegate",
      "vote",
      "publish-key",
    ]);
  });

  it("registers a profile for its owner", async function () {
    const owner = signers[5];
    await run(blocks.get("register")!, await scope(owner, { handle: "signed_up" }));
    const id = await suite.profileRegistry.contract.profileIdOf(await owner.getAddress());
    expect(id).to.be.greaterThan(0n);
    expect(await suite.profileRegistry.contract.handleOf(id)).to.equal("signed_up");
  });

  it("follows a profile", async function () {
    const [, alice] = signers;
    const graph = suite.profileRegistry.contract;
    await run(
      blocks.get("follow")!,
      await scope(alice, { profileId: ids.alice, targetId: ids.bob }),
    );
    const events = await graph.queryFilter(graph.filters.Followed(), -1);
    expect(events.map((e) => [e.args.followerId, e.args.followedId])).to.deep.equal([
      [ids.alice, ids.bob],
    ]);
  });

  it("approves coins with a permit", async function () {
    const [, alice, , carol] = signers;
    const spender = await address(carol);
    await run(blocks.get("coin-permit")!, await scope(alice, { coin, spender, amount: 1234n }));
    const bobCoin = await hre.ethers.getContractAt("CreatorCoin", coin);
    expect(await bobCoin.allowance(await alice.getAddress(), spender)).to.equal(1234n);
  });

  it("tips in a coin with a permit, in one transaction", async function () {
    const [, alice] = signers;
    const bobCoin = await hre.ethers.getContractAt("CreatorCoin", coin);
    const before = await bobCoin.balanceOf(await alice.getAddress());
    await run(
      blocks.get("tip-permit")!,
      await scope(alice, { coin, profileId: ids.bob, amount: 5_000n }),
    );
    expect(await bobCoin.balanceOf(await alice.getAddress())).to.equal(before - 5_000n);
  });

  it("delegates votes by signature", async function () {
    const [, alice, , carol] = signers;
    await run(blocks.get("delegate")!, await scope(carol, { delegatee: await address(alice) }));
    expect(await suite.governanceToken.contract.delegates(await carol.getAddress())).to.equal(
      await alice.getAddress(),
    );
  });

  it("votes by signature", async function () {
    const [deployer, alice] = signers;
    const governor = suite.governor.contract;
    const targets = [suite.tipJar.address];
    const calldatas = [suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [100])];
    await (await governor.connect(deployer).propose(targets, [0n], calldatas, "signed")).wait();
    const proposalId = await governor.hashProposal(targets, [0n], calldatas, keccakText("signed"));
    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await run(blocks.get("vote")!, await scope(alice, { proposalId }));
    expect(await governor.hasVoted(proposalId, await alice.getAddress())).to.equal(true);
    const [, forVotes] = await governor.proposalVotes(proposalId);
    expect(forVotes).to.equal(parseEther("5001000"));
  });

  it("publishes a messaging key for a profile", async function () {
    const [, alice] = signers;
    const { publicKey } = randomMessagingKeyPair();
    const hex = `0x${Buffer.from(publicKey).toString("hex")}` as const;
    await run(
      blocks.get("publish-key")!,
      await scope(alice, { profileId: ids.alice, publicKey: hex }),
    );
    const [published, version] = await suite.messaging.contract.keyOf(ids.alice);
    expect(published).to.equal(hex);
    expect(version).to.equal(1n);
  });
});
