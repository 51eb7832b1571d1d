import { HDNodeWallet, JsonRpcProvider, id, parseEther, type Signer } from "ethers";
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

/** What each person posts about, in their own voice. */
const POSTS: Record<string, string[]> = {
  alice: [
    "An open social graph means your followers come with you when you leave an app. That is the whole point.",
    "Wrote up how Agora's post ids encode the author: authorId << 64 | sequence. No lookup needed to know who wrote it.",
    "Protocols outlive companies. Build on the protocol.",
  ],
  bob: [
    "Golden hour on the harbour today. The light on the cranes was unreal.",
    "Shot a whole roll on the night bus. Some of my favourite frames in months.",
    "Selling prints of the market series this weekend, tips go to film.",
  ],
  carol: [
    "Devlog #12: the level editor finally saves. Nobody tell the physics engine.",
    "Playtest tonight! If you hold $CAROL you get the build link first.",
    "Shipped the demo. 312 downloads in a day. I am going to sleep now.",
  ],
  dave: [
    "120 km this morning, then a flat white that was honestly better than the ride.",
    "Hot take: the best bike upgrade is a better café stop.",
  ],
  erin: [
    "Quiet morning / the kettle sings before me / the day has not yet",
    "Rain on the tin roof / every drop a small drum / I do not mind it",
    "A follow is a bow / a tip is a cup of tea / both warm the poet",
  ],
  frank: [
    "A bonding curve is just a promise about price at every supply. S^2/16000 is a steep promise.",
    "Creator coins price attention, not equity. Worth remembering before you ape in.",
    "Charted the 24h volume of every coin here. Power law, as expected.",
  ],
  grace: ["Reminder that a compiler is a program that writes programs. Magic, but with tests."],
  heidi: [
    "Audited my first bonding curve today. Rounding direction is everything: always round in favour of the reserve.",
    "PSA: set a recovery address on your profile. Takes one transaction.",
  ],
  ivan: ["Puzzle of the day: white to move and mate in three. Answers in the replies."],
  judy: [
    "New single out Friday! Tips this week go to paying the session players.",
    "Rehearsal went long but the bridge finally clicks.",
  ],
  mallory: ["If your threat model doesn't include a bored teenager, it isn't a threat model."],
  niaj: [
    "First tomatoes of the season from the rooftop. Worth every bucket of water I carried up.",
  ],
  olivia: [
    "Pulled every trade from the API and plotted holders vs market cap. Thread below.",
    "Open data makes better journalism. Everything here is queryable.",
  ],
  peggy: ["Opened the kiln this morning. Three cracked, nine perfect. I'll take it."],
  rupert: ["Day 43 at sea. Saw a pod of dolphins and lost a sock. Balance."],
  sybil: ["Be kind in the replies today, folks. Disagreement is fine; cruelty is not."],
  trent: [
    "Delegation is underrated. If you hold AGORA and don't vote, delegate to someone who does.",
  ],
  victor: ["Chapter nine is done. It only took three rewrites and a long walk."],
  walter: ["Jupiter and Saturn side by side tonight, low in the west. Go look!"],
  zoe: [
    "Climbed the north face before the heat. Glaciers are half the size they were ten years ago.",
  ],
  yusuf: ["Custom errors that carry their values make debugging a revert a one-minute job."],
  xena: ["Sketchbook page: every creator on the leaderboard as a tiny cartoon. Who's next?"],
  quinn: [
    "New episode: we talk to three creators about what owning their audience actually means.",
  ],
  uma: ["Taught cubic functions today using a bonding curve. The class had opinions."],
};

const REPLIES = [
  "Completely agree.",
  "This is the way.",
  "Saving this for later.",
  "Great thread, thank you for writing it up.",
  "Not sure I agree, but I see the argument.",
  "Ha, love this.",
  "Could you say more about this?",
  "Beautiful.",
  "Following for the sequel.",
  "Bought some of your coin on the strength of this post.",
];

const QUOTES = [
  "Everyone should read this.",
  "This is why I'm here.",
  "Worth your two minutes.",
  "Strongly recommended.",
];

const TIP_MESSAGES = ["great post", "thanks!", "for the coffee", "keep going", "loved this", "gm"];

const json = (value: unknown) =>
  `data:application/json,${encodeURIComponent(JSON.stringify(value))}`;
const text = (value: string) => `data:text/plain;charset=utf-8,${encodeURIComponent(value)}`;

/** A small SVG avatar with the person's initials, as a data: URI (nothing to fetch). */
function avatar(name: string, index: number): string {
  const initials = name
    .split(" ")
    .slice(0, 2)
    .map((word) => word[0])
    .join("");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="hsl(${(index * 47) % 360},55%,38%)"/>` +
    `<text x="32" y="41" font-size="24" font-family="sans-serif" font-weight="700" ` +
    `text-anchor="middle" fill="#fff">${initials}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export interface SeedSummary {
  profiles: number;
  posts: number;
  follows: number;
  trades: number;
  tips: number;
  /** The proposal carried through to execution. */
  proposalId: bigint;
  /** The proposal left open for voting. */
  openProposalId: bigint;
}

/** Titles of the two demo proposals (the first line of each description). */
export const EXECUTED_PROPOSAL = "Raise the creator share of protocol revenue to 25%";
export const OPEN_PROPOSAL = "Give creators 40% of protocol revenue";

/** Creators who launch a coin: the first twelve people. */
const CREATORS = 12;
/** How popular each coin is with traders: a few draw most of the trading, as on real markets. */
const POPULARITY = [9, 4, 7, 2, 5, 1, 3, 2, 6, 1, 2, 1];

/**
 * Seeds a demo on a local chain that tells a story across about ten days of chain time: 24
 * people with avatars and bios post, reply, quote, like and follow; twelve launch creator coins
 * that fans trade unevenly over the whole period (price histories worth a chart, and trades in
 * the last 24 hours); tips in ETH and in creator coins to profiles and posts; a DAO proposal
 * that changes the revenue allocation is carried through to execution, and a second one is left
 * open for voting one vote short of its quorum. A small PRNG with a fixed seed makes the demo the
 * same on every machine.
 */
export async function seedDemo(url: string, suite: Suite): Promise<SeedSummary> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  let state = 0x5eed;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    // The low bits of this generator repeat with short periods; the high ones do not.
    return (state >>> 12) % n;
  };
  const pick = <T>(items: readonly T[]): T => items[random(items.length)];
  const deadline = () => BigInt(Math.floor(Date.now() / 1000)) + 10n ** 9n;
  const advance = (seconds: number) => rpc(url, "evm_increaseTime", [seconds]);
  const wallets: Signer[] = [];
  const addresses: string[] = [];
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
    addresses.push(await wallets[i].getAddress());
  }

  const registry = suite.profileRegistry.contract;
  const ids: bigint[] = [];
  for (const [i, [handle, name, bio]] of PEOPLE.entries()) {
    const uri = json({ displayName: name, bio, avatar: avatar(name, i) });
    await (await registry.connect(wallets[i]).register(handle, uri)).wait();
    ids.push(await registry.profileIdOf(addresses[i]));
  }

  const posts: { id: bigint; author: number }[] = [];
  const nextPost = new Map<string, number>();
  let follows = 0;
  const post = async (author: number, body: string, parent?: bigint, quoted?: bigint) => {
    const as = registry.connect(wallets[author]);
    const tx =
      parent || quoted
        ? await as.postWithRefs(ids[author], text(body), parent ?? 0n, quoted ?? 0n)
        : await as.post(ids[author], text(body));
    await tx.wait();
    const count = await registry.postCountOf(ids[author]);
    posts.push({ id: (ids[author] << 64n) | count, author });
  };
  /** The author's next line, or a reply or quote of someone else's post. */
  const socialStep = async (author: number) => {
    const handle = PEOPLE[author][0];
    const written = nextPost.get(handle) ?? 0;
    // Once someone has said what they had to say, they reply and quote.
    const roll = written < POSTS[handle].length ? random(10) : random(4);
    if (posts.length > 4 && roll < 3) {
      const target = pick(posts.filter((p) => p.author !== author));
      await post(author, pick(REPLIES), target.id);
    } else if (posts.length > 4 && roll < 4) {
      const target = pick(posts.filter((p) => p.author !== author));
      await post(author, pick(QUOTES), undefined, target.id);
    } else {
      nextPost.set(handle, written + 1);
      await post(author, POSTS[handle][written]);
    }
  };
  const react = async (who: number) => {
    const liked = pick(posts.filter((p) => p.author !== who));
    await (await registry.connect(wallets[who]).react(ids[who], liked.id, 1)).wait();
  };

  // Day 0: everyone introduces themselves and follows a few people.
  for (let i = 0; i < PEOPLE.length; i++) await socialStep(i);
  for (let i = 0; i < PEOPLE.length; i++) {
    const followed = new Set<number>();
    for (let k = 0; k < 5; k++) {
      // Popular creators (the first few) draw more followers.
      const target = random(3) === 0 ? random(6) : random(PEOPLE.length);
      if (target === i || followed.has(target)) continue;
      followed.add(target);
      await (await registry.connect(wallets[i]).follow(ids[i], ids[target])).wait();
      follows++;
    }
  }

  // Creators launch their coins, each with an opening buy.
  const factory = suite.creatorCoinFactory.contract;
  const coins: string[] = [];
  for (let i = 0; i < CREATORS; i++) {
    await (
      await factory
        .connect(wallets[i])
        .launch(ids[i], 300n + 100n * BigInt(i % 5), 0n, deadline(), {
          value: parseEther(String(0.02 + (i % 4) * 0.01)),
        })
    ).wait();
    coins.push(await factory.coinOf(ids[i]));
  }
  let trades = CREATORS;
  const popularity = POPULARITY.flatMap((weight, coin) => Array<number>(weight).fill(coin));
  const trade = async () => {
    const trader = 6 + random(PEOPLE.length - 6);
    const coin = creatorCoinAt(coins[pick(popularity)], wallets[trader]);
    const held = await coin.balanceOf(addresses[trader]);
    if (held > 0n && random(5) < 2) {
      const amount = random(4) === 0 ? held : held / BigInt(2 + random(3));
      await (await coin.sellExactIn(amount, 0n, deadline(), addresses[trader])).wait();
    } else {
      const value = parseEther(String((1 + random(30)) / 200));
      await (await coin.buyExactIn(0n, deadline(), addresses[trader], { value })).wait();
    }
    trades++;
  };

  const tipJar = suite.tipJar.contract;
  let tips = 0;
  const tip = async () => {
    const from = random(PEOPLE.length);
    const target = pick(posts.filter((p) => p.author !== from));
    const message = pick(TIP_MESSAGES);
    const jar = tipJar.connect(wallets[from]);
    const coinIndex = target.author < CREATORS ? target.author : -1;
    const coin = coinIndex >= 0 ? creatorCoinAt(coins[coinIndex], wallets[from]) : undefined;
    const held = coin ? await coin.balanceOf(addresses[from]) : 0n;
    if (coin && held > 10n ** 15n && random(2) === 0) {
      // A fan tips the creator in the creator's own coin.
      const amount = held / 5n;
      await (await coin.approve(suite.tipJar.address, amount)).wait();
      if (random(2) === 0)
        await (await jar.tipPostToken(target.id, coins[coinIndex], amount, message)).wait();
      else await (await jar.tipToken(ids[target.author], coins[coinIndex], amount, message)).wait();
    } else {
      const value = parseEther(String(0.001 * (1 + random(40))));
      if (random(3) > 0) await (await jar.tipPostETH(target.id, message, { value })).wait();
      else await (await jar.tipETH(ids[target.author], message, { value })).wait();
    }
    tips++;
  };

  /**
   * `steps` moments of life spread over at least `seconds` of chain time: mostly trades, some
   * posts, replies, quotes, likes and tips.
   */
  const live = async (seconds: number, steps: number) => {
    let elapsed = 0;
    for (let n = 0; n < steps; n++) {
      const step =
        n === steps - 1
          ? Math.max(0, seconds - elapsed)
          : Math.floor((seconds / steps) * (0.5 + random(100) / 100));
      elapsed += step;
      await advance(step);
      const roll = random(20);
      if (roll < 12) await trade();
      else if (roll < 15) await socialStep(random(PEOPLE.length));
      else if (roll < 17) await react(random(PEOPLE.length));
      else await tip();
    }
  };

  const HOUR = 3_600;
  await live(6 * HOUR, 40);

  // The DAO: accounts 0-5 received 1M tokens each at genesis (deploy/parameters/localhost.json);
  // all but account 5 delegated to themselves, so four of them together reach quorum.
  const governor = suite.governor.contract;
  const split = suite.revenueSplit.contract;
  const allocation = (operationsBps: number, treasuryBps: number, creatorBps: number) => {
    const targets = [suite.revenueSplit.address, suite.tipJar.address];
    const calldatas = [
      split.interface.encodeFunctionData("setAllocation", [
        [
          { recipient: addresses[0], bps: operationsBps },
          { recipient: suite.timelock.address, bps: treasuryBps },
        ],
        creatorBps,
      ]),
      // The tip jar re-reads the creator share it caches.
      tipJar.interface.encodeFunctionData("syncCreatorShare"),
    ];
    return { targets, values: [0n, 0n], calldatas };
  };
  const propose = async (
    action: ReturnType<typeof allocation>,
    description: string,
  ): Promise<bigint> => {
    await (
      await governor
        .connect(wallets[0])
        .propose(action.targets, action.values, action.calldatas, description)
    ).wait();
    return governor.hashProposal(action.targets, action.values, action.calldatas, id(description));
  };

  // Proposal 1, from proposal to execution over eight days of trading.
  const first = allocation(4_000, 3_500, 2_500);
  const proposalId = await propose(first, EXECUTED_PROPOSAL);
  const votingDelay = Number(await governor.votingDelay());
  const votingPeriod = Number(await governor.votingPeriod());
  const timelockDelay = Number(await suite.timelock.contract.getMinDelay());
  await live(votingDelay + HOUR, 30);
  const reasons = ["Creators should share in what they earn", "", "", "Too much, too soon", "", ""];
  for (let i = 0; i <= 4; i++) {
    const support = i === 3 ? 0 : i === 4 ? 2 : 1;
    await (
      await governor.connect(wallets[i]).castVoteWithReason(proposalId, support, reasons[i])
    ).wait();
  }
  await live(votingPeriod, 50);
  await (
    await governor
      .connect(wallets[0])
      .queue(first.targets, first.values, first.calldatas, id(EXECUTED_PROPOSAL))
  ).wait();
  await live(timelockDelay + HOUR, 20);
  await (
    await governor
      .connect(wallets[0])
      .execute(first.targets, first.values, first.calldatas, id(EXECUTED_PROPOSAL))
  ).wait();

  // Fees flow to the revenue split and are distributed under the new allocation.
  for (const address of coins)
    await (await creatorCoinAt(address, wallets[0]).sweepProtocolFees()).wait();
  await (await tipJar.connect(wallets[0]).sweepETH()).wait();
  await (
    await split.connect(wallets[0]).distribute("0x0000000000000000000000000000000000000000")
  ).wait();

  // Proposal 2, open for voting: three of the four delegates have voted, one short of quorum.
  const second = allocation(3_000, 3_000, 4_000);
  const openProposalId = await propose(
    second,
    `${OPEN_PROPOSAL}\n\nCreators earn the fees; most of them should return to creators. ` +
      "Operations and the treasury keep 30% each.",
  );
  await live(votingDelay + HOUR, 24);
  await (
    await governor
      .connect(wallets[1])
      .castVoteWithReason(openProposalId, 1, "Yes: creators bring the volume")
  ).wait();
  await (await governor.connect(wallets[2]).castVoteWithReason(openProposalId, 1, "")).wait();
  await (
    await governor
      .connect(wallets[4])
      .castVoteWithReason(openProposalId, 2, "Fine either way; counting for quorum")
  ).wait();

  // The last day: a busy 22 hours, ending a few minutes before the chain's "now".
  await live(22 * HOUR, 70);
  provider.destroy();
  return {
    profiles: ids.length,
    posts: posts.length,
    follows,
    trades,
    tips,
    proposalId,
    openProposalId,
  };
}
