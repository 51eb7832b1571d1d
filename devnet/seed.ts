import { HDNodeWallet, JsonRpcProvider, parseEther, type Signer } from "ethers";
import { creatorCoinAt } from "../deploy/coins";
import type { Suite } from "../deploy/suite";
import { rpc } from "./node";

/** The mnemonic of Hardhat's built-in accounts; the demo's extra wallets derive from it too. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const PEOPLE = [
  ["alice", "Alice Moreau", "Writes about open protocols."],
  ["bob", "Bob Okafor", "Street photographer."],
  ["carol", "Carol Chen", "Indie game dev, building in public."],
  ["dave", "Dave Lindqvist", "Cyclist and coffee snob."],
  ["erin", "Erin Walsh", "Poet. Mostly haiku."],
  ["frank", "Frank Osei", "Economist, curious about curves."],
  ["grace", "Grace Hopper Fan Club", "Compilers all the way down."],
  ["heidi", "Heidi Bauer", "Security researcher."],
  ["ivan", "Ivan Petrov", "Chess coach."],
  ["judy", "Judy Alvarez", "Musician; new single out Friday."],
  ["mallory", "Mallory Stone", "Red team by day."],
  ["niaj", "Niaj Rahman", "Urban gardener."],
  ["olivia", "Olivia Santos", "Data journalist."],
  ["peggy", "Peggy Nakamura", "Ceramics and kilns."],
  ["rupert", "Rupert Hale", "Sailing around the world, slowly."],
  ["sybil", "Sybil Ward", "Community moderator."],
  ["trent", "Trent Kowalski", "DAO tooling."],
  ["victor", "Victor Hugo Lima", "Novelist."],
  ["walter", "Walter Brandt", "Amateur astronomer."],
  ["zoe", "Zoe Adeyemi", "Climbing and climate."],
  ["yusuf", "Yusuf Demir", "Ships Solidity for a living."],
  ["xena", "Xena Park", "Illustrator."],
  ["quinn", "Quinn Murphy", "Podcaster."],
  ["uma", "Uma Iyer", "Teaches maths to teenagers."],
] as const;

const json = (value: unknown) =>
  `data:application/json,${encodeURIComponent(JSON.stringify(value))}`;
const text = (value: string) => `data:text/plain,${encodeURIComponent(value)}`;

export interface SeedSummary {
  profiles: number;
  posts: number;
  follows: number;
  trades: number;
  tips: number;
  proposalId: bigint;
}

/**
 * Seeds a realistic demo on a local chain: 24 profiles with posts, replies, quotes, follows and
 * likes; creator coins traded by several wallets; tips in ETH and in a creator coin; and a DAO
 * proposal that changes the revenue allocation, carried from proposal to execution. A small PRNG
 * with a fixed seed makes the demo the same on every machine.
 */
export async function seedDemo(url: string, suite: Suite): Promise<SeedSummary> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  let state = 0x5eed;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const deadline = () => BigInt(Math.floor(Date.now() / 1000)) + 10n ** 9n;
  const wallets: Signer[] = [];
  for (let i = 0; i < PEOPLE.length; i++) {
    if (i < 20) wallets.push(await provider.getSigner(i));
    else {
      const wallet = HDNodeWallet.fromPhrase(
        HARDHAT_MNEMONIC,
        undefined,
        `m/44'/60'/0'/0/${i}`,
      ).connect(provider);
      await (
        await wallets[0].sendTransaction({ to: wallet.address, value: parseEther("100") })
      ).wait();
      wallets.push(wallet);
    }
  }
  const registry = suite.profileRegistry.contract;
  const ids: bigint[] = [];
  for (const [i, [handle, name, bio]] of PEOPLE.entries()) {
    const uri = json({ displayName: name, bio, avatar: `https://avatars.example/${handle}.png` });
    await (await registry.connect(wallets[i]).register(handle, uri)).wait();
    ids.push(await registry.profileIdOf(await wallets[i].getAddress()));
  }

  const posts: { id: bigint; author: number }[] = [];
  let follows = 0;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < PEOPLE.length; i++) {
      const author = registry.connect(wallets[i]);
      const body = text(`${PEOPLE[i][1]}: note ${round + 1} on ${PEOPLE[i][2].toLowerCase()}`);
      const parent = posts.length > 0 && random(3) === 0 ? posts[random(posts.length)] : undefined;
      const quoted = posts.length > 0 && random(5) === 0 ? posts[random(posts.length)] : undefined;
      const tx =
        parent || quoted
          ? await author.postWithRefs(ids[i], body, parent?.id ?? 0n, quoted?.id ?? 0n)
          : await author.post(ids[i], body);
      await tx.wait();
      posts.push({ id: (ids[i] << 64n) | (await registry.postCountOf(ids[i])), author: i });
    }
  }
  for (let i = 0; i < PEOPLE.length; i++) {
    for (let k = 0; k < 6; k++) {
      const target = random(PEOPLE.length);
      if (target === i) continue;
      await (await registry.connect(wallets[i]).follow(ids[i], ids[target])).wait();
      follows++;
    }
    const liked = posts[random(posts.length)];
    await (await registry.connect(wallets[i]).react(ids[i], liked.id, 1)).wait();
  }

  // Creator coins: eight creators launch, each with an opening buy; fans trade.
  const factory = suite.creatorCoinFactory.contract;
  const coins: string[] = [];
  for (let i = 0; i < 8; i++) {
    await (
      await factory
        .connect(wallets[i])
        .launch(ids[i], 500n, 0n, deadline(), { value: parseEther("0.05") })
    ).wait();
    coins.push(await factory.coinOf(ids[i]));
  }
  let trades = 8;
  for (let n = 0; n < 60; n++) {
    const trader = wallets[8 + random(PEOPLE.length - 8)];
    const coin = creatorCoinAt(coins[random(coins.length)], trader);
    const held = await coin.balanceOf(await trader.getAddress());
    if (held > 0n && random(3) === 0) {
      await (
        await coin.sellExactIn(
          held / 2n > 0n ? held / 2n : held,
          0n,
          deadline(),
          await trader.getAddress(),
        )
      ).wait();
    } else {
      const value = parseEther(String(0.01 + random(20) / 100));
      await (await coin.buyExactIn(0n, deadline(), await trader.getAddress(), { value })).wait();
    }
    trades++;
  }

  // Tips in ETH to profiles and posts, and one in a creator coin.
  const tipJar = suite.tipJar.contract;
  let tips = 0;
  for (let n = 0; n < 20; n++) {
    const from = wallets[random(PEOPLE.length)];
    const post = posts[random(posts.length)];
    const value = parseEther(String(0.001 * (1 + random(50))));
    if (n % 2 === 0)
      await (await tipJar.connect(from).tipPostETH(post.id, "great post", { value })).wait();
    else await (await tipJar.connect(from).tipETH(ids[post.author], "thanks!", { value })).wait();
    tips++;
  }
  const fan = wallets[10];
  const fanCoin = creatorCoinAt(coins[0], fan);
  const fanBalance = await fanCoin.balanceOf(await fan.getAddress());
  if (fanBalance > 0n) {
    await (await fanCoin.approve(suite.tipJar.address, fanBalance / 4n)).wait();
    await (
      await tipJar.connect(fan).tipToken(ids[0], coins[0], fanBalance / 4n, "coin tip")
    ).wait();
    tips++;
  }

  // Fees flow to the revenue split.
  for (const address of coins)
    await (await creatorCoinAt(address, wallets[0]).sweepProtocolFees()).wait();
  await (await tipJar.connect(wallets[0]).sweepETH()).wait();

  // The DAO: members receive tokens and delegate; a proposal moves the allocation; it passes.
  const token = suite.governanceToken.contract;
  const governor = suite.governor.contract;
  const split = suite.revenueSplit.contract;
  for (let i = 1; i <= 5; i++) {
    await (
      await token.connect(wallets[0]).transfer(await wallets[i].getAddress(), parseEther("1000000"))
    ).wait();
    await (await token.connect(wallets[i]).delegate(await wallets[i].getAddress())).wait();
  }
  const operations = await wallets[0].getAddress();
  const newBuckets = [
    { recipient: operations, bps: 4_000 },
    { recipient: suite.timelock.address, bps: 3_500 },
  ];
  // Two actions: the new allocation, then the tip jar re-reads the creator share it caches.
  const targets = [suite.revenueSplit.address, suite.tipJar.address];
  const values = [0n, 0n];
  const calldatas = [
    split.interface.encodeFunctionData("setAllocation", [newBuckets, 2_500]),
    tipJar.interface.encodeFunctionData("syncCreatorShare"),
  ];
  const description = "Raise the creator share of protocol revenue to 25%";
  await (
    await governor.connect(wallets[0]).propose(targets, values, calldatas, description)
  ).wait();
  const descriptionHash = (await import("ethers")).id(description);
  const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
  const advance = async (seconds: bigint) => {
    await rpc(url, "evm_increaseTime", [Number(seconds)]);
    await rpc(url, "evm_mine", []);
  };
  await advance((await governor.votingDelay()) + 1n);
  for (let i = 0; i <= 5; i++) {
    const support = i === 3 ? 0 : i === 4 ? 2 : 1;
    await (
      await governor.connect(wallets[i]).castVoteWithReason(proposalId, support, "demo vote")
    ).wait();
  }
  await advance((await governor.votingPeriod()) + 1n);
  await (
    await governor.connect(wallets[0]).queue(targets, values, calldatas, descriptionHash)
  ).wait();
  await advance((await suite.timelock.contract.getMinDelay()) + 1n);
  await (
    await governor.connect(wallets[0]).execute(targets, values, calldatas, descriptionHash)
  ).wait();
  await (
    await split.connect(wallets[0]).distribute("0x0000000000000000000000000000000000000000")
  ).wait();
  provider.destroy();
  return { profiles: ids.length, posts: posts.length, follows, trades, tips, proposalId };
}
