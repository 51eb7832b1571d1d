import fs from "node:fs";
import { expect } from "chai";
import {
  HDNodeWallet,
  JsonRpcProvider,
  ZeroAddress,
  formatEther,
  formatUnits,
  parseEther,
} from "ethers";
import type { Browser, Page } from "puppeteer-core";
import { rpc } from "../../devnet/node";
import { EXECUTED_PROPOSAL, OPEN_PROPOSAL } from "../../devnet/seed";
import {
  bytesToHex,
  decryptMessage,
  hexToBytes,
  keyDerivationMessage,
  keyPairFromSignature,
  readEnvelopeHeader,
  type MessagingKeyPair,
} from "../../sdk/messaging";
import {
  AgoraGovernor__factory,
  CreatorCoin__factory,
  CreatorCoinFactory__factory,
  GovernanceToken__factory,
  Messaging__factory,
  Moderation__factory,
  ProfileRegistry__factory,
  RevenueSplit__factory,
  TestERC20Decimals__factory,
  TipJar__factory,
} from "../../typechain-types";
import {
  caughtUp,
  eventually,
  gql,
  launchBrowser,
  openPage,
  screenshot,
  startStack,
  type Stack,
} from "./stack";

const MNEMONIC = "test test test test test test test test test test test junk";
const wallet = (index: number) =>
  HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
const account = (index: number) => wallet(index).address;

/** The account of the app's development wallet a scenario uses. */
const NEWCOMER = 24;
const DAVE = 3;
const FRANK = 5;
const ALICE = 0;
const GRACE = 6;
const HEIDI = 7;
const IVAN = 8;
const JUDY = 9;
const OLIVIA = 12;
/** An empty account that takes over a profile offered to it. */
const HEIR = 26;
/** The address the app names as referrer of every trade and tip it sends. */
const REFERRER = 27;
/** An account without a profile that looks for a handle. */
const VISITOR = 28;

/**
 * The web app in a real headless Chromium against one `npm start` stack (a Hardhat node with
 * the seeded demo, the indexer on Postgres, the API and the app server). Every action goes
 * through the page with the development wallet, which signs real transactions; each result is
 * checked in the page and on chain.
 */
describe("The Agora app in a browser", function () {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let provider: JsonRpcProvider;
  let contracts: Record<string, { address: string }>;
  const errors: string[] = [];

  const url = (route: string) => `${stack.appUrl}#${route}`;
  const go = async (route: string) => {
    await page.goto(url(route), { waitUntil: "load" });
  };
  const text = (selector: string) =>
    page.$eval(selector, (element) => (element as HTMLElement).innerText);
  /** Waits until the page shows `needle` somewhere. */
  const shows = (needle: string) =>
    page.waitForFunction((n) => document.body.innerText.includes(n), {}, needle);
  /** Waits for the transaction status inside `scope` to reach `status`. */
  const txStatus = (scope: string, status: "confirmed" | "failed") =>
    page.waitForSelector(`${scope} [data-tx-status="${status}"]`);
  const fill = async (selector: string, value: string) => {
    await page.locator(selector).click({ count: 3 });
    await page.keyboard.press("Backspace");
    await page.locator(selector).fill(value);
  };
  /**
   * Connects the development wallet unless it is connected. Waits first for the wallet's state
   * to settle: after a reload the app reconnects on its own, and a click on "Connect" while it
   * does would open a menu that the finished reconnection then removes.
   */
  const connectDevWallet = async () => {
    const settled = await page.waitForSelector(
      '.wallet[data-status="connected"], .wallet[data-status="disconnected"]',
    );
    if ((await settled!.evaluate((w) => w.getAttribute("data-status"))) === "connected") return;
    await page.locator(".wallet button::-p-text(Connect)").click();
    await page.locator("#connectors button::-p-text(Use development wallet)").click();
    await page.waitForSelector("#dev-account");
  };
  const useAccount = async (index: number) => {
    await connectDevWallet();
    await page.waitForFunction(() => document.querySelectorAll("#dev-account option").length >= 30);
    await page.select("#dev-account", String(index));
    await page.waitForSelector(`[data-account="${account(index).toLowerCase()}"]`);
  };

  /**
   * "Confirm and sign" of the open confirmation `label` once its summary shows `summary` (every
   * part of it, when several); with `shot`, saves a screenshot of the summary first. A summary
   * that never shows fails with the text of the confirmations that are open.
   */
  const sign = async (label: string, summary: string | string[], shot?: string) => {
    const parts = typeof summary === "string" ? [summary] : summary;
    try {
      await page.waitForFunction(
        (l, p) =>
          [...document.querySelectorAll(".confirm")].some(
            (c) =>
              c.getAttribute("aria-label") === `Confirm: ${l}` &&
              p.every((s) => (c as HTMLElement).innerText.includes(s)),
          ),
        {},
        label,
        parts,
      );
    } catch (error) {
      const open = await page.$$eval(".confirm", (all) =>
        all.map((c) => `${c.getAttribute("aria-label")}: ${(c as HTMLElement).innerText}`),
      );
      throw new Error(
        `no confirmation "${label}" showed ${JSON.stringify(parts)}; open: ${JSON.stringify(open)} (${String(error)})`,
      );
    }
    if (shot) {
      await page.$eval(`[aria-label="Confirm: ${label}"]`, (c) =>
        c.closest("form, section, article")?.scrollIntoView({ block: "center" }),
      );
      await screenshot(page, shot);
    }
    await page.locator(`[aria-label="Confirm: ${label}"] button.confirm-sign`).click();
  };
  /**
   * Clicks a transaction's button (the first matching `label`, inside `scope` if given), then
   * signs its confirmation (see `sign`).
   */
  const confirm = async (label: string, summary: string | string[], scope = "", shot?: string) => {
    await page.locator(`${scope} button::-p-text(${label})`).click();
    await sign(label, summary, shot);
  };
  /** Waits until a button's whole text is `label` (a selector's text match takes substrings). */
  const button = (label: string) =>
    page.waitForFunction(
      (l) => [...document.querySelectorAll("button")].some((b) => b.textContent === l),
      {},
      label,
    );

  before(async function () {
    stack = await startStack({ referrer: account(REFERRER) });
    browser = await launchBrowser();
    page = await openPage(browser, errors);
    provider = new JsonRpcProvider(stack.rpcUrl, undefined, { cacheTimeout: -1 });
    contracts = (
      JSON.parse(fs.readFileSync(stack.deploymentFile, "utf8")) as {
        contracts: Record<string, { address: string }>;
      }
    ).contracts;
    await caughtUp(stack.apiUrl);
  });

  after(async function () {
    await browser?.close();
    provider?.destroy();
    await stack?.stop();
  });

  afterEach(function () {
    const seen = errors.splice(0);
    expect(seen, "uncaught errors in the page").to.deep.equal([]);
  });

  describe("for a reader without a wallet", function () {
    it("shows the seeded feed, a coin with its candles, creators, tips and the DAO", async function () {
      await go("/");
      await page.waitForSelector("article.post");
      expect(await page.$$eval("article.post", (posts) => posts.length)).to.be.at.least(10);
      await screenshot(page, "feed");

      await go("/coins");
      await page.waitForSelector("table.leaderboard tbody tr");
      const rows = await page.$$eval("table.leaderboard tbody tr", (r) => r.length);
      const { stats } = await gql<{ stats: { coins: number } }>(
        stack.apiUrl,
        "{ stats { coins } }",
      );
      expect(rows).to.equal(stats.coins);
      await screenshot(page, "creators");

      const { coinByHandle } = await gql<{ coinByHandle: { address: string; volume24h: string } }>(
        stack.apiUrl,
        `{ coinByHandle(handle: "alice") { address volume24h } }`,
      );
      expect(
        BigInt(coinByHandle.volume24h),
        "the seed trades inside the last 24 hours",
      ).to.be.greaterThan(0n);
      await go(`/coin/${coinByHandle.address}`);
      const chart = await page.waitForSelector(".chart[aria-label*='candles'] canvas");
      expect(chart).to.not.equal(null);
      const label = await page.$eval(".chart", (c) => c.getAttribute("aria-label")!);
      expect(Number(/(\d+) candles/.exec(label)![1])).to.be.greaterThan(5);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await screenshot(page, "coin");

      await go("/dao");
      await shows(EXECUTED_PROPOSAL);
      await shows(OPEN_PROPOSAL);
      await screenshot(page, "dao");

      await go("/tips");
      await page.waitForSelector("ol.board li");
      await screenshot(page, "tips");
    });

    it("is usable with the keyboard and on a phone-sized screen", async function () {
      await go("/");
      await page.waitForSelector("article.post");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal(
        "Skip to content",
      );
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("main");
      await page.setViewport({ width: 390, height: 844, isMobile: true });
      await go("/");
      await page.waitForSelector("article.post");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, "horizontal overflow on a phone").to.be.at.most(0);
      await screenshot(page, "feed-phone");
      await page.setViewport({ width: 1280, height: 900 });
    });
  });

  describe("with a browser wallet", function () {
    it("detects a wallet on another chain and switches it", async function () {
      // Its own browser context: the wallet it connects must not be remembered by the others.
      const context = await browser.createBrowserContext();
      const tab = await context.newPage();
      tab.setDefaultTimeout(120_000);
      tab.on("pageerror", (error) => errors.push(String((error as Error).message ?? error)));
      // An EIP-1193 wallet as an extension injects it, holding one account.
      await tab.evaluateOnNewDocument(
        (rpcUrl: string, address: string) => {
          let chainId = "0x1";
          const listeners: Record<string, ((value: unknown) => void)[]> = {};
          const emit = (event: string, value: unknown) =>
            (listeners[event] ?? []).forEach((listener) => listener(value));
          // What a person does in the wallet's own window: pick another network.
          (window as unknown as { pickNetwork: (id: string) => void }).pickNetwork = (id) => {
            chainId = id;
            emit("chainChanged", id);
          };
          (window as unknown as { ethereum: unknown }).ethereum = {
            on: (event: string, listener: (value: unknown) => void) =>
              (listeners[event] ??= []).push(listener),
            removeListener: (event: string, listener: (value: unknown) => void) =>
              (listeners[event] = (listeners[event] ?? []).filter((l) => l !== listener)),
            async request({ method, params }: { method: string; params?: unknown[] }) {
              if (method === "eth_chainId") return chainId;
              if (method === "eth_accounts" || method === "eth_requestAccounts") return [address];
              if (method === "wallet_switchEthereumChain") {
                chainId = (params![0] as { chainId: string }).chainId;
                emit("chainChanged", chainId);
                return null;
              }
              const response = await fetch(rpcUrl, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
              });
              return ((await response.json()) as { result: unknown }).result;
            },
          };
        },
        stack.rpcUrl,
        account(7),
      );
      await tab.goto(url("/"), { waitUntil: "load" });
      await tab.locator(".wallet button::-p-text(Connect)").click();
      await tab.locator("button::-p-text(Browser wallet)").click();
      // Connecting asks the wallet for the deployment's chain.
      await tab.waitForSelector(`[data-account="${account(7).toLowerCase()}"]`);
      expect(await tab.$(".banner")).to.equal(null);
      await tab.evaluate(() =>
        (window as unknown as { pickNetwork: (id: string) => void }).pickNetwork("0x1"),
      );
      const banner = await tab.waitForSelector(".banner");
      expect(await banner!.evaluate((b) => (b as HTMLElement).innerText)).to.contain(
        "Your wallet is on chain 1",
      );
      await screenshot(tab, "wrong-network");
      await tab.locator(".banner button").click();
      await tab.waitForSelector(".banner", { hidden: true });
      expect(await tab.$(".badge.warn")).to.equal(null);
      await context.close();
    });
  });

  describe("against hostile content", function () {
    it("shows posts and profiles with hostile URIs as inert text, without errors", async function () {
      const signer = await provider.getSigner(10);
      const registry = ProfileRegistry__factory.connect(contracts.ProfileRegistry.address, signer);
      const id = await registry.profileIdOf(await signer.getAddress());
      const hostile = [
        "javascript:window.__pwned=1",
        "data:text/html,<script>window.__pwned=1</script><b>html</b>",
        `data:text/plain,${"%E2%82".repeat(3)}broken%ZZpercent`,
        `data:text/plain;base64,${"!!!not base64!!!"}`,
        `data:text/plain,${encodeURIComponent("<img src=x onerror=window.__pwned=1>")}`,
        `data:text/plain,${"A".repeat(20_000)}`,
        "ipfs://bafy\u202eevil",
      ];
      for (const uri of hostile) await (await registry.post(id, uri)).wait();
      await (
        await registry.setMetadataURI(
          id,
          `data:application/json,${encodeURIComponent(
            JSON.stringify({ displayName: "<b>x</b>".repeat(50), avatar: "javascript:alert(1)" }),
          )}`,
        )
      ).wait();
      page.on("dialog", (dialog) => errors.push(`dialog: ${dialog.message()}`));
      const { profile } = await gql<{ profile: { handle: string } }>(
        stack.apiUrl,
        `{ profile(id: "${id}") { handle } }`,
      );
      await eventually(async () => {
        const { posts } = await gql<{ posts: { nodes: { contentUri: string }[] } }>(
          stack.apiUrl,
          `{ posts(first: 1, where: { authorId: "${id}" }) { nodes { contentUri } } }`,
        );
        return posts.nodes[0]?.contentUri.startsWith("ipfs://");
      }, "the hostile posts being indexed");
      await go(`/u/${profile.handle}`);
      await shows("<img src=x onerror=window.__pwned=1>");
      await shows("javascript:window.__pwned=1");
      // The right-to-left override is gone: "evil" is not shown as "live".
      await shows("ipfs://bafyevil");
      await shows("Show all 20,000 characters");
      await page.waitForFunction(() => document.querySelectorAll("article.post").length >= 7);
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).to.equal(
        undefined,
      );
      expect(
        await page.$$eval("a[href^='javascript:'], img[src^='javascript:']", (e) => e.length),
      ).to.equal(0);
      expect(await page.$$eval("script:not([src])", (e) => e.length)).to.equal(2);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, "a 20,000-character word widens the page").to.be.at.most(0);
      await screenshot(page, "hostile");
    });
  });

  describe("for a newcomer with the development wallet", function () {
    const newcomer = account(NEWCOMER);
    let registry: ReturnType<typeof ProfileRegistry__factory.connect>;
    let profileId: bigint;

    before(function () {
      registry = ProfileRegistry__factory.connect(contracts.ProfileRegistry.address, provider);
    });

    it("connects, takes ETH from the devnet faucet and registers a handle checked as typed", async function () {
      await go("/");
      await connectDevWallet();
      await page.waitForSelector(".wallet .badge.devnet");
      await useAccount(NEWCOMER);
      await page.locator("button::-p-text(Faucet)").click();
      await eventually(
        async () => (await provider.getBalance(newcomer)) >= parseEther("100"),
        "the faucet",
      );
      await go("/register");
      await page.locator("#handle").fill("Newcomer");
      await shows("Lowercase only");
      await fill("#handle", "alice");
      await shows("@alice is taken.");
      await fill("#handle", "newcomer");
      await shows("@newcomer is available.");
      await page.locator("#display-name").fill("New Comer");
      await page.locator("#bio").fill("Just arrived.");
      await confirm(
        "Register @newcomer",
        "the display name “New Comer” and the bio “Just arrived.”. A wallet owns one profile",
      );
      await page.waitForFunction(() => window.location.hash === "#/u/newcomer");
      await shows("New Comer");
      await screenshot(page, "registered");
      profileId = await registry.profileIdOf(newcomer);
      expect(profileId).to.be.greaterThan(0n);
      expect(await registry.handleOf(profileId)).to.equal("newcomer");
    });

    it("posts, and sees the post in the feed and on chain", async function () {
      await go("/");
      const message = "Hello Agora, from a real browser";
      await page.locator("#composer-new").fill(message);
      await confirm("Post", `Publishes these ${message.length} characters as @newcomer.`);
      await txStatus(".compose-card", "confirmed");
      await shows(message);
      expect(await page.$eval("#composer-new", (t) => (t as HTMLTextAreaElement).value)).to.equal(
        "",
      );
      expect(await registry.postCountOf(profileId)).to.equal(1n);
      const [event] = await registry.queryFilter(registry.filters.Posted((profileId << 64n) | 1n));
      expect(decodeURIComponent(event.args.contentURI.split(",")[1])).to.equal(message);
    });

    it("keeps what was typed when a transaction fails, and names the contract's error", async function () {
      await go("/dao/propose");
      await fill("#bucket-0-recipient", newcomer);
      await page.locator("#proposal-title").fill("Everything to the newcomer");
      await confirm("Submit proposal", "Proposes “Everything to the newcomer” to the DAO");
      const failure = await txStatus("form", "failed");
      const shown = await failure!.evaluate((e) => (e as HTMLElement).innerText);
      expect(shown).to.contain("Proposing needs 10,000 votes; you have 0");
      expect(shown).to.contain("GovernorInsufficientProposerVotes");
      expect(await page.$eval("#proposal-title", (i) => (i as HTMLInputElement).value)).to.equal(
        "Everything to the newcomer",
      );
      await screenshot(page, "named-error");
    });

    it("follows a creator", async function () {
      await go("/u/alice");
      await confirm("Follow @alice", "Your profile @newcomer follows @alice");
      await page.waitForSelector("::-p-text(Unfollow @alice)");
      const aliceId = await registry.profileIdOfHandle("alice");
      const follows = await registry.queryFilter(registry.filters.Followed(profileId, aliceId));
      expect(follows).to.have.length(1);
    });

    it("unfollows the creator", async function () {
      const aliceId = await registry.profileIdOfHandle("alice");
      await go("/u/alice");
      await confirm("Unfollow @alice", "Your profile @newcomer stops following @alice");
      await button("Follow @alice");
      const unfollows = await registry.queryFilter(registry.filters.Unfollowed(profileId, aliceId));
      expect(unfollows).to.have.length(1);
      const { follows } = await gql<{ follows: { nodes: unknown[] } }>(
        stack.apiUrl,
        `{ follows(where: { followerId: "${profileId}", followedId: "${aliceId}" }) { nodes { followedId } } }`,
      );
      expect(follows.nodes).to.deep.equal([]);
    });

    it("likes a post, and takes the like back", async function () {
      const aliceId = await registry.profileIdOfHandle("alice");
      const postId = (aliceId << 64n) | 1n;
      const like = ".focus article.post button[aria-pressed]";
      await go(`/post/${postId}`);
      await page.waitForSelector(`${like}[aria-pressed="false"]`);
      const before = Number(await page.$eval(`${like} .num`, (n) => n.textContent));
      /** Waits for the button to show `pressed` and `count` likes. */
      const likes = (pressed: boolean, count: number) =>
        page.waitForFunction(
          (selector, p, c) => {
            const b = document.querySelector(selector);
            return (
              b?.getAttribute("aria-pressed") === String(p) &&
              b.querySelector(".num")?.textContent === String(c)
            );
          },
          {},
          like,
          pressed,
          count,
        );
      await page.locator(like).click();
      await sign("Like", "Likes this post by @alice as @newcomer");
      await likes(true, before + 1);
      const [liked] = await registry.queryFilter(registry.filters.Reacted(profileId, postId));
      expect(liked.args.kind).to.equal(1n);
      await page.$eval(".focus", (f) => f.scrollIntoView({ block: "center" }));
      await screenshot(page, "liked");

      await page.locator(like).click();
      await sign("Unlike", "Takes back the like of @newcomer on this post by @alice");
      await likes(false, before);
      const reactions = await registry.queryFilter(registry.filters.Reacted(profileId, postId));
      expect(reactions.map((r) => r.args.kind)).to.deep.equal([1n, 0n]);
    });

    it("buys a coin at the SDK's exact quote and sells it all", async function () {
      const { coinByHandle } = await gql<{ coinByHandle: { address: string } }>(
        stack.apiUrl,
        `{ coinByHandle(handle: "alice") { address } }`,
      );
      const coin = CreatorCoin__factory.connect(coinByHandle.address, provider);
      await go(`/coin/${coinByHandle.address}`);
      await fill("#trade-amount", "0.05");
      const quoted = await page.waitForFunction(() =>
        document.querySelector("[data-quote-out]")?.getAttribute("data-quote-out"),
      );
      const [onChainQuote] = await coin.quoteBuyExactIn(parseEther("0.05"));
      expect(BigInt((await quoted.jsonValue()) as string)).to.equal(onChainQuote);
      // The summary states the exact minimum out: the quote less the 1% slippage tolerance.
      const exact = (wei: bigint) => formatEther(wei).replace(/\.0$/, "");
      await confirm(
        "Buy ALICE",
        `Pays 0.05 ETH for ${exact(onChainQuote)} ALICE at the current supply. If others trade first, you receive at least ${exact((onChainQuote * 9_900n) / 10_000n)} ALICE (slippage tolerance 1%)`,
        "",
        "trade-confirm",
      );
      await page.waitForSelector("[data-trade-summary]", { hidden: true });
      await txStatus("form.trade", "confirmed");
      expect(await coin.balanceOf(newcomer)).to.equal(onChainQuote);
      await shows("You hold");
      await page.$eval("form.trade", (form) => form.scrollIntoView({ block: "center" }));
      await screenshot(page, "bought");
      await page.evaluate(() => window.scrollTo(0, 0));

      await page.locator("form.trade [role=tab]::-p-text(Sell)").click();
      await page.locator("button::-p-text(Max)").click();
      const held = await coin.balanceOf(newcomer);
      const [ethOut] = await coin.quoteSellExactIn(held);
      await confirm(
        "Sell ALICE",
        `Sells ${exact(held)} ALICE for ${exact(ethOut)} ETH at the current supply. If others trade first, you receive at least ${exact((ethOut * 9_900n) / 10_000n)} ETH`,
      );
      await eventually(async () => (await coin.balanceOf(newcomer)) === 0n, "the sale");
      await txStatus("form.trade", "confirmed");
      await page.waitForFunction(
        (short) => [...document.querySelectorAll("td")].some((td) => td.textContent === short),
        {},
        `${newcomer.slice(0, 6)}…${newcomer.slice(-4)}`,
      );
    });

    it("tips a post and sees the tip on the post and on chain", async function () {
      const aliceId = await registry.profileIdOfHandle("alice");
      const postId = ((aliceId << 64n) | 1n).toString();
      await go(`/post/${postId}`);
      await page.locator(".focus button::-p-text(Tip)").click();
      await fill(`#tip-${postId}-amount`, "0.01");
      await page.locator(`#tip-${postId}-message`).fill("e2e tip, thank you");
      await confirm("Tip @alice", "@alice receives the rest", ".focus form.tip-form");
      await txStatus(".focus form.tip-form", "confirmed");
      await shows("“e2e tip, thank you”");
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      const [tip] = await tipJar.queryFilter(
        tipJar.filters.Tipped(aliceId, BigInt(postId), newcomer),
      );
      expect(tip.args.amount).to.equal(parseEther("0.01"));
      expect(tip.args.message).to.equal("e2e tip, thank you");
      await screenshot(page, "tipped");
    });

    it("edits its profile details and names a recovery address", async function () {
      await go("/settings");
      await page.waitForFunction(
        () => (document.querySelector("#edit-name") as HTMLInputElement | null)?.value,
      );
      await fill("#edit-name", "Newcomer, settled");
      await fill("#edit-bio", "Here for the creators.");
      await confirm(
        "Save profile",
        "Sets the profile of @newcomer: display name “Newcomer, settled”, bio “Here for the creators.”",
      );
      await txStatus("form:has(#edit-name)", "confirmed");
      const changes = await registry.queryFilter(registry.filters.MetadataURIChanged(profileId));
      const uri = changes.at(-1)!.args.metadataURI;
      expect(uri.startsWith("data:application/json,")).to.equal(true);
      expect(
        JSON.parse(decodeURIComponent(uri.slice("data:application/json,".length))),
      ).to.deep.equal({ displayName: "Newcomer, settled", bio: "Here for the creators." });
      await go("/u/newcomer");
      await shows("Newcomer, settled");
      await shows("Here for the creators.");

      const recovery = account(HEIR);
      await go("/settings");
      await shows("Recovery address now: none");
      await page.locator("#recovery").fill(recovery);
      await confirm("Set recovery address", [
        `Names ${recovery} as the recovery address of @newcomer`,
        "With no recovery address in force, it applies at once",
      ]);
      await shows(`Recovery address now: ${recovery}`);
      const [current] = await registry.recoveryOf(profileId);
      expect(current).to.equal(recovery);
      const [set] = await registry.queryFilter(registry.filters.RecoverySet(profileId));
      expect(set.args.recovery).to.equal(recovery);
      expect(await page.$eval("#recovery", (i) => (i as HTMLInputElement).value)).to.equal("");
    });

    it("launches its coin with a first buy", async function () {
      const factory = CreatorCoinFactory__factory.connect(
        contracts.CreatorCoinFactory.address,
        provider,
      );
      expect(await factory.coinOf(profileId)).to.equal(ZeroAddress);
      await go("/settings");
      await fill("#creator-fee", "2.5");
      await fill("#initial-buy", "0.02");
      await confirm(
        "Launch my coin",
        [
          "Launches the creator coin of @newcomer. Every trade of it pays you a creator fee of 2.50%",
          "Your first buy: 0.02 ETH sent with the launch",
        ],
        "",
        "launch-confirm",
      );
      const link = await page.waitForSelector("a::-p-text($NEWCOMER)");
      const address = await factory.coinOf(profileId);
      expect(address).to.not.equal(ZeroAddress);
      expect((await link!.evaluate((a) => a.getAttribute("href")))!.toLowerCase()).to.equal(
        `#/coin/${address.toLowerCase()}`,
      );
      const [launched] = await factory.queryFilter(factory.filters.CoinLaunched(profileId));
      expect(launched.args.coin).to.equal(address);
      expect(launched.args.creatorFeeBps).to.equal(250n);
      const coin = CreatorCoin__factory.connect(address, provider);
      expect(await coin.symbol()).to.equal("NEWCOMER");
      expect(await coin.balanceOf(newcomer)).to.be.greaterThan(0n);
      await link!.click();
      await page.waitForSelector("[data-testid=coin-price]");
      await shows("NEWCOMER");
    });
  });

  describe("for people who guard their privacy", function () {
    let registry: ReturnType<typeof ProfileRegistry__factory.connect>;
    let messaging: ReturnType<typeof Messaging__factory.connect>;
    let moderation: ReturnType<typeof Moderation__factory.connect>;
    const ids: Record<number, bigint> = {};
    /** The key a wallet derives for key version 1, computed here apart from the app. */
    const derivedKey = async (index: number): Promise<MessagingKeyPair> =>
      keyPairFromSignature(
        await wallet(index).signMessage(
          keyDerivationMessage({
            profileId: ids[index],
            keyVersion: 1n,
            chainId: 31337n,
            messaging: contracts.Messaging.address,
          }),
        ),
      );

    before(async function () {
      registry = ProfileRegistry__factory.connect(contracts.ProfileRegistry.address, provider);
      messaging = Messaging__factory.connect(contracts.Messaging.address, provider);
      moderation = Moderation__factory.connect(contracts.Moderation.address, provider);
      for (const index of [GRACE, HEIDI]) ids[index] = await registry.profileIdOf(account(index));
    });

    it("sets up keys derived from a wallet signature, kept only in the tab, and messages both ways", async function () {
      for (const index of [GRACE, HEIDI]) {
        await go("/messages");
        await useAccount(index);
        await page.waitForSelector("[data-key-state=none]");
        await confirm("Set up direct messages", "in memory only");
        await page.waitForSelector("[data-key-state=unlocked]");
        const [publicKey, version] = await messaging.keyOf(ids[index]);
        expect(version).to.equal(1n);
        expect(publicKey).to.equal(bytesToHex((await derivedKey(index)).publicKey));
      }

      const text = "Heidi here: lunch on Friday? ünïcödé 🫖";
      await go("/messages/grace");
      await page.locator("#dm-text").fill(text);
      await confirm("Send encrypted", "only the two of you can read it");
      await txStatus(".thread", "confirmed");
      await page.waitForSelector(".message.own ::-p-text(lunch on Friday)");
      expect(await page.$eval("#dm-text", (t) => (t as HTMLTextAreaElement).value)).to.equal("");
      const [sent] = await messaging.queryFilter(
        messaging.filters.MessageSent(ids[HEIDI], ids[GRACE]),
      );
      const ciphertext = hexToBytes(sent.args.ciphertext);
      expect(Buffer.from(ciphertext).includes(Buffer.from("lunch"))).to.equal(false);
      const grace = await derivedKey(GRACE);
      const heidi = await derivedKey(HEIDI);
      const header = readEnvelopeHeader(ciphertext);
      expect(
        decryptMessage(ciphertext, grace.secretKey, {
          fromId: ids[HEIDI],
          toId: ids[GRACE],
          senderPublicKey: heidi.publicKey,
          senderKeyVersion: header.senderKeyVersion,
          recipientPublicKey: grace.publicKey,
          recipientKeyVersion: header.recipientKeyVersion,
        }),
      ).to.equal(text);

      // Nothing was stored: after a reload the key is locked until the wallet signs again.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      for (const secret of [grace.secretKey, heidi.secretKey])
        expect(stored).to.not.include(bytesToHex(secret).slice(2));
      await useAccount(GRACE);
      await page.reload({ waitUntil: "load" });
      await go("/messages");
      await page.waitForSelector("[data-key-state=locked]");
      await page.locator("button::-p-text(Unlock messages)").click();
      await page.waitForSelector("[data-key-state=unlocked]");
      await page.locator(".conversations a::-p-text(@heidi)").click();
      await page.waitForSelector(".message:not(.own) ::-p-text(lunch on Friday)");
      await page.locator("#dm-text").fill("Friday works.");
      await confirm("Send encrypted", "Cost: gas only");
      await page.waitForSelector(".message.own ::-p-text(Friday works.)");
      expect(
        await messaging.queryFilter(messaging.filters.MessageSent(ids[GRACE], ids[HEIDI])),
      ).to.have.length(1);
      await screenshot(page, "messages");
    });

    it("blocks and mutes a profile, and says what it hid", async function () {
      await useAccount(GRACE);
      await go("/u/heidi");
      await confirm("Block @heidi", "public event on chain");
      await page.waitForSelector("::-p-text(Unblock @heidi)");
      expect(
        await moderation.queryFilter(moderation.filters.Blocked(ids[GRACE], ids[HEIDI])),
      ).to.have.length(1);
      await go("/messages");
      await page.waitForSelector("[data-hidden-count='1']");
      await shows("you blocked @heidi");
      expect(await page.$$eval(".conversations li", (items) => items.length)).to.equal(0);

      // Mute the author of the newest post: the feed leaves it out and says so.
      const { posts } = await gql<{ posts: { nodes: { author: { handle: string } }[] } }>(
        stack.apiUrl,
        `{ posts(first: 5, where: { retracted: false }) { nodes { author { handle } } } }`,
      );
      const muted = posts.nodes.map((p) => p.author.handle).find((h) => h !== "grace")!;
      await go(`/u/${muted}`);
      await confirm(`Mute @${muted}`, "they are not told");
      await page.waitForSelector(`::-p-text(Unmute @${muted})`);
      const mutedId = await registry.profileIdOfHandle(muted);
      expect(
        await moderation.queryFilter(moderation.filters.Muted(ids[GRACE], mutedId)),
      ).to.have.length(1);
      await go("/");
      await shows(`you muted @${muted}`);
      expect(
        await page.$$eval(
          "article.post a.handle",
          (links, h) => links.filter((a) => a.textContent === `@${h}`).length,
          muted,
        ),
      ).to.equal(0);
      await screenshot(page, "hidden");
    });

    it("builds a moderation list, edits its members, and another profile subscribes", async function () {
      await useAccount(GRACE);
      await go("/moderation");
      await page.locator("#list-name").fill("Grace's spam watch");
      await confirm("Create list", "Creates the public list");
      await shows("#1 Grace's spam watch");
      expect(await moderation.listOwnerOf(1n)).to.equal(ids[GRACE]);
      await page.locator("#add-1").fill("@mallory");
      await confirm("Add to list", "Adds @mallory");
      await page.waitForSelector("[data-list-id='1'] ::-p-text(Remove @mallory)");
      await page.locator("#add-1").fill("ivan");
      await confirm("Add to list", "Adds @ivan");
      await page.waitForSelector("[data-list-id='1'] ::-p-text(Remove @ivan)");
      await confirm("Remove @ivan", "Removes @ivan");
      await page.waitForFunction(
        () => !document.querySelector("[data-list-id='1']")?.textContent?.includes("@ivan"),
      );
      const mallory = await registry.profileIdOfHandle("mallory");
      const added = await moderation.queryFilter(moderation.filters.ModerationListMemberAdded(1n));
      expect(added.map((e) => e.args.memberId)).to.deep.equal([
        mallory,
        await registry.profileIdOfHandle("ivan"),
      ]);
      await screenshot(page, "moderation");

      await useAccount(HEIDI);
      await page.waitForSelector("[data-list-id='1'] ::-p-text(Subscribe)");
      await confirm("Subscribe", "of the 1 members of list #1");
      await page.waitForSelector("[data-list-id='1'] ::-p-text(you subscribe)");
      expect(
        await moderation.queryFilter(moderation.filters.ModerationListSubscribed(ids[HEIDI], 1n)),
      ).to.have.length(1);
      const { hiddenReason } = await gql<{ hiddenReason: string }>(
        stack.apiUrl,
        `{ hiddenReason(viewer: ${ids[HEIDI]}, profileId: ${mallory}) }`,
      );
      expect(hiddenReason).to.equal("LIST");
    });
  });

  describe("for profile owners", function () {
    let registry: ReturnType<typeof ProfileRegistry__factory.connect>;
    /** A token of 6 decimals (like USDC) deployed for the tip in it. */
    let usdcAddress: string;

    before(function () {
      registry = ProfileRegistry__factory.connect(contracts.ProfileRegistry.address, provider);
    });

    it("retracts a post of its own", async function () {
      await go("/u/ivan");
      await useAccount(IVAN);
      const article = await page.waitForSelector("article.post[data-post-id]");
      const postId = await article!.evaluate((a) => a.getAttribute("data-post-id")!);
      const scope = `article.post[data-post-id="${postId}"]`;
      await confirm("Retract", "The chain keeps what was posted", scope);
      // Once indexed, the refreshed profile no longer lists it.
      await page.waitForFunction(
        (id) => !document.querySelector(`article.post[data-post-id="${id}"]`),
        {},
        postId,
      );
      const ivan = await registry.profileIdOfHandle("ivan");
      const retracted = await registry.queryFilter(
        registry.filters.PostRetracted(ivan, BigInt(postId)),
      );
      expect(retracted).to.have.length(1);
    });

    it("withdraws its coin's creator fees to its wallet", async function () {
      const { coinByHandle } = await gql<{ coinByHandle: { address: string } }>(
        stack.apiUrl,
        `{ coinByHandle(handle: "alice") { address } }`,
      );
      const coin = CreatorCoin__factory.connect(coinByHandle.address, provider);
      const owed = await coin.creatorFeesOwed();
      expect(owed, "the seed's trades pay alice creator fees").to.be.greaterThan(0n);
      await go("/earnings");
      await useAccount(ALICE);
      await page.waitForFunction(
        () =>
          !document
            .querySelector("[data-withdraw='Creator fees'] button")
            ?.hasAttribute("disabled"),
      );
      await confirm("Withdraw creator fees", `to your wallet ${account(ALICE)}`);
      await eventually(async () => (await coin.creatorFeesOwed()) === 0n, "the withdrawal");
      const withdrawn = await coin.queryFilter(coin.filters.CreatorFeesWithdrawn());
      expect(withdrawn.at(-1)!.args.amount).to.be.at.least(owed);
      await page.waitForFunction(
        () =>
          document.querySelector("[data-withdraw='Creator fees'] strong")?.textContent === "0 ETH",
      );
      await screenshot(page, "earnings");
    });

    it("shows a referrer what a coin owes it, and withdraws it", async function () {
      const referrer = account(REFERRER);
      const { coinByHandle } = await gql<{ coinByHandle: { address: string } }>(
        stack.apiUrl,
        `{ coinByHandle(handle: "alice") { address } }`,
      );
      const coin = CreatorCoin__factory.connect(coinByHandle.address, provider);
      const owed = await coin.referrerFeesOwed(referrer);
      expect(owed, "the app named its referrer in the newcomer's trades").to.be.greaterThan(0n);
      const row = `[data-referrer-coin="${coinByHandle.address.toLowerCase()}"]`;
      await go("/earnings");
      await useAccount(REFERRER);
      await page.locator("button::-p-text(Faucet)").click();
      await eventually(
        async () => (await provider.getBalance(referrer)) >= parseEther("100"),
        "the faucet",
      );
      await page.waitForFunction(
        () => document.querySelector("[data-testid=referrer-totals]")?.textContent,
      );
      expect(await text("[data-testid=referrer-totals]")).to.contain("from 2 trades");
      await page.waitForFunction(
        (r) => !document.querySelector(`${r} button`)?.hasAttribute("disabled"),
        {},
        row,
      );
      await confirm(
        "Withdraw referrer fees from $ALICE",
        `which the $ALICE coin (${coinByHandle.address.toLowerCase()}) holds for you, to your wallet ${referrer}`,
        row,
      );
      await eventually(
        async () => (await coin.referrerFeesOwed(referrer)) === 0n,
        "the withdrawal",
      );
      const [withdrawn] = await coin.queryFilter(coin.filters.ReferrerFeesWithdrawn(referrer));
      expect(withdrawn.args.to).to.equal(referrer);
      expect(withdrawn.args.amount).to.equal(owed);
      await page.waitForFunction(
        (r) => document.querySelector(`${r} strong`)?.textContent === "0 ETH",
        {},
        row,
      );
      await screenshot(page, "referrer-earnings");
    });

    it("tips a post in a token of 6 decimals, typed and shown in the token's own units", async function () {
      const usdc = await new TestERC20Decimals__factory(await provider.getSigner(10)).deploy(
        "USDC",
        6,
      );
      usdcAddress = await usdc.getAddress();
      const tipper = account(IVAN);
      await (await usdc.mint(tipper, 100_000_000n)).wait();
      const aliceId = await registry.profileIdOfHandle("alice");
      const postId = (aliceId << 64n) | 1n;
      await go(`/post/${postId}`);
      await useAccount(IVAN);
      // Opened unless still open: going to the same post again keeps the page as it was.
      const opener = await page.waitForSelector(".focus button::-p-text(Tip)");
      if ((await opener!.evaluate((b) => b.getAttribute("aria-expanded"))) !== "true")
        await opener!.click();
      const id = `#tip-${postId}`;
      await page.waitForSelector(`${id}-token`);
      await page.select(`${id}-token`, "custom");
      await page.locator(`${id}-address`).fill(usdcAddress);
      await fill(`${id}-amount`, "0.0000001");
      await shows("Enter an amount above zero, with at most 6 decimals.");
      await fill(`${id}-amount`, "12.5");
      await page.locator(`${id}-message`).fill("in dollars");
      await confirm(
        "Tip @alice",
        [
          "Tips 12.5 USDC to @alice for this post.",
          "USDC), which goes to the DAO's revenue split",
          "Two transactions: approve the tip jar for this amount, then the tip.",
        ],
        ".focus form.tip-form",
        "tip-usdc-confirm",
      );
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      const tip = await eventually(
        async () => (await tipJar.queryFilter(tipJar.filters.Tipped(aliceId, postId, tipper)))[0],
        "the USDC tip",
      );
      expect(tip.args.token).to.equal(usdcAddress);
      expect(tip.args.amount).to.equal(12_500_000n);
      expect(tip.args.message).to.equal("in dollars");
      expect(await usdc.balanceOf(tipper)).to.equal(87_500_000n);
      await page.waitForFunction(() =>
        [...document.querySelectorAll("li")].some(
          (li) =>
            (li as HTMLElement).innerText.includes("12.5 USDC") &&
            (li as HTMLElement).innerText.includes("in dollars"),
        ),
      );
      await go("/tips");
      await shows("12.5 USDC");
    });

    it("shows a referrer what the tip jar holds for it, in ETH and in the 6-decimal token, and withdraws both", async function () {
      const referrer = account(REFERRER);
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      const usdc = TestERC20Decimals__factory.connect(usdcAddress, provider);
      const usdcOwed = await tipJar.referrerBalanceOf(usdcAddress, referrer);
      const ethOwed = await tipJar.referrerBalanceOf(ZeroAddress, referrer);
      expect(usdcOwed, "the app named its referrer in the USDC tip").to.be.greaterThan(0n);
      expect(ethOwed, "and in the newcomer's ETH tip").to.be.greaterThan(0n);
      const usdcRow = `[data-referrer-token="${usdcAddress.toLowerCase()}"]`;
      const ethRow = `[data-referrer-token="${ZeroAddress}"]`;
      const usdcShown = `${formatUnits(usdcOwed, 6)} USDC`;
      await go("/earnings");
      await useAccount(REFERRER);
      // Gas for the withdrawals (an account past the node's funded ones starts empty).
      const funded = await provider.getBalance(referrer);
      await page.locator("button::-p-text(Faucet)").click();
      await eventually(
        async () => (await provider.getBalance(referrer)) >= funded + parseEther("100"),
        "the faucet",
      );
      await page.waitForFunction(
        (r, shown) => document.querySelector(`${r} strong`)?.textContent === shown,
        {},
        usdcRow,
        usdcShown,
      );
      await confirm(
        "Withdraw referrer fees from USDC tips",
        `Sends ${usdcShown} of referrer fees from USDC tips, which the tip jar (token ${usdcAddress.toLowerCase()}) holds for you, to your wallet ${referrer}`,
        usdcRow,
      );
      await eventually(
        async () => (await tipJar.referrerBalanceOf(usdcAddress, referrer)) === 0n,
        "the USDC withdrawal",
      );
      expect(await usdc.balanceOf(referrer)).to.equal(usdcOwed);
      const [usdcOut] = await tipJar.queryFilter(
        tipJar.filters.ReferrerFeesWithdrawn(referrer, usdcAddress),
      );
      expect(usdcOut.args.amount).to.equal(usdcOwed);
      await page.waitForFunction(
        (r) => document.querySelector(`${r} strong`)?.textContent === "0 USDC",
        {},
        usdcRow,
      );

      await page.waitForFunction(
        (r) => !document.querySelector(`${r} button`)?.hasAttribute("disabled"),
        {},
        ethRow,
      );
      await confirm(
        "Withdraw referrer fees from ETH tips",
        `which the tip jar holds for you, to your wallet ${referrer}`,
        ethRow,
      );
      await eventually(
        async () => (await tipJar.referrerBalanceOf(ZeroAddress, referrer)) === 0n,
        "the ETH withdrawal",
      );
      const [ethOut] = await tipJar.queryFilter(
        tipJar.filters.ReferrerFeesWithdrawn(referrer, ZeroAddress),
      );
      expect(ethOut.args.to).to.equal(referrer);
      expect(ethOut.args.amount).to.equal(ethOwed);
      await page.waitForFunction(
        (r) => document.querySelector(`${r} strong`)?.textContent === "0 ETH",
        {},
        ethRow,
      );
      await screenshot(page, "referrer-tip-earnings");
    });

    it("changes its handle, checked as typed, with the old one's cooldown stated", async function () {
      await go("/settings");
      await useAccount(JUDY);
      await page.locator("#new-handle").fill("Judy");
      await shows("Lowercase only");
      await fill("#new-handle", "alice");
      await shows("@alice is taken.");
      await fill("#new-handle", "judy_music");
      await shows("@judy_music is available.");
      await confirm("Change to @judy_music", "stays reserved for your profile for 30 days");
      await page.waitForFunction(() => window.location.hash === "#/u/judy_music");
      const judy = await registry.profileIdOf(account(JUDY));
      expect(await registry.handleOf(judy)).to.equal("judy_music");
      expect(await registry.profileIdOfHandle("judy")).to.equal(0n);

      // The old handle cools down: judy may take it back, anyone else only from its free time.
      const [change] = await registry.queryFilter(registry.filters.HandleChanged(judy));
      const freeAt = change.args.oldHandleFreeAt;
      const date = `${new Date(Number(freeAt) * 1000).toISOString().replace("T", " ").slice(0, 16)} UTC`;
      await go("/settings");
      await page.waitForSelector("[data-testid=reserved-handles]");
      expect(await text("[data-testid=reserved-handles]")).to.contain(
        `@judy stays yours until ${date}`,
      );
      await page.locator("#new-handle").fill("judy");
      await shows(`@judy was yours: it stays reserved for you until ${date}`);
      expect(
        await page.$eval("button::-p-text(Change to @judy)", (b) => b.hasAttribute("disabled")),
      ).to.equal(false);

      await useAccount(VISITOR);
      await go("/register");
      await page.locator("#handle").fill("judy");
      await shows(`@judy was given up by @judy_music and stays reserved for it until ${date}`);
      expect(await page.$eval("#handle-help", (p) => p.getAttribute("data-free-at"))).to.equal(
        freeAt.toString(),
      );
      expect(
        await page.$eval("button::-p-text(Register @judy)", (b) => b.hasAttribute("disabled")),
      ).to.equal(true);
      await fill("#handle", "judy_2");
      await shows("@judy_2 is available.");
    });

    it("offers the profile to another wallet, which accepts it", async function () {
      const olivia = await registry.profileIdOfHandle("olivia");
      await go("/settings");
      await useAccount(OLIVIA);
      await page.locator("#transfer-to").fill(account(HEIR));
      await confirm("Offer the profile", account(HEIR));
      await page.waitForSelector(`[data-offer="${account(HEIR).toLowerCase()}"]`);
      expect((await registry.transferOfferOf(olivia)).to).to.equal(account(HEIR));

      await useAccount(HEIR);
      await page.locator("button::-p-text(Faucet)").click();
      await eventually(
        async () => (await provider.getBalance(account(HEIR))) >= parseEther("100"),
        "the faucet",
      );
      await go("/register");
      await page.locator("#accept-handle").fill("@olivia");
      await shows("@olivia is offered to you");
      await confirm("Accept @olivia", "Makes this wallet the owner of @olivia");
      await page.waitForFunction(() => window.location.hash === "#/u/olivia");
      expect(await registry.ownerOf(olivia)).to.equal(account(HEIR));
    });

    it("tips in a creator coin with a permit signature, in one transaction", async function () {
      // A demo fan who holds another creator's coin (the seed's traders are accounts 6-23).
      let tipper = 0;
      let held: { address: string; handle: string } | undefined;
      for (tipper = 13; tipper < 24 && !held; tipper++) {
        const { portfolio } = await gql<{
          portfolio: { holdings: { nodes: { coin: { address: string; handle: string } }[] } };
        }>(
          stack.apiUrl,
          `{ portfolio(address: "${account(tipper).toLowerCase()}") { holdings(first: 100) { nodes { coin { address handle } } } } }`,
        );
        held = portfolio.holdings.nodes.find((h) => h.coin.handle !== "heidi")?.coin;
      }
      tipper -= 1;
      expect(held, "a demo fan holds a coin").to.not.equal(undefined);
      const fan = account(tipper);
      const { address, handle } = held!;
      const coin = CreatorCoin__factory.connect(address, provider);
      const amount = (await coin.balanceOf(fan)) / 10n;
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      const creator = await registry.profileIdOfHandle(handle);
      expect(await coin.allowance(fan, contracts.TipJar.address)).to.equal(0n);
      await go(`/u/${handle}`);
      await useAccount(tipper);
      await page.locator(`button::-p-text(Tip @${handle})`).click();
      const id = `#tip-${creator}`;
      await page.waitForFunction(
        (select, address) =>
          [...(document.querySelector(select) as HTMLSelectElement).options].some(
            (o) => o.value === address,
          ),
        {},
        `${id}-token`,
        address,
      );
      await page.select(`${id}-token`, address);
      await fill(`${id}-amount`, formatEther(amount));
      await page.locator(`${id}-message`).fill("permit tip");
      const sent = await provider.getTransactionCount(fan);
      await confirm(`Tip @${handle}`, "signs a permit for exactly this amount", "form.tip-form");
      await txStatus("form.tip-form", "confirmed");
      const [tip] = await tipJar.queryFilter(tipJar.filters.Tipped(creator, 0n, fan));
      expect(tip.args.token.toLowerCase()).to.equal(address.toLowerCase());
      expect(tip.args.amount).to.equal(amount);
      const tx = await provider.getTransaction(tip.transactionHash);
      expect(tipJar.interface.parseTransaction(tx!)!.name).to.equal("tipTokenWithPermit");
      expect(await provider.getTransactionCount(fan), "no approval first").to.equal(sent + 1);
    });

    it("tips several creators in one transaction", async function () {
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      await go("/tips");
      await useAccount(HEIDI);
      await page.locator("#batch-0-handle").fill("@alice");
      await page.locator("#batch-1-handle").fill("bob");
      await fill("#batch-1-amount", "0.02");
      await page.locator("#batch-message").fill("for the week's work");
      await confirm("Tip 2 creators", "0.03 ETH in all");
      await txStatus("form.batch-tip", "confirmed");
      const tips = await tipJar.queryFilter(tipJar.filters.Tipped(undefined, 0n, account(HEIDI)));
      const batch = tips.filter((t) => t.args.message === "for the week's work");
      expect(batch.map((t) => [t.args.profileId, t.args.amount])).to.deep.equal([
        [await registry.profileIdOfHandle("alice"), parseEther("0.01")],
        [await registry.profileIdOfHandle("bob"), parseEther("0.02")],
      ]);
      expect(new Set(batch.map((t) => t.transactionHash)).size).to.equal(1);
      await screenshot(page, "batch-tip");
    });

    it("tips several creators in a creator coin in one transaction, after one approval", async function () {
      const tipJar = TipJar__factory.connect(contracts.TipJar.address, provider);
      // A demo fan who holds a creator coin (the seed's traders are accounts 6-23).
      let tipper = 0;
      let held: { address: string; symbol: string } | undefined;
      for (tipper = 13; tipper < 24 && !held; tipper++) {
        const { portfolio } = await gql<{
          portfolio: { holdings: { nodes: { coin: { address: string; symbol: string } }[] } };
        }>(
          stack.apiUrl,
          `{ portfolio(address: "${account(tipper).toLowerCase()}") { holdings(first: 1) { nodes { coin { address symbol } } } } }`,
        );
        held = portfolio.holdings.nodes[0]?.coin;
      }
      tipper -= 1;
      expect(held, "a demo fan holds a coin").to.not.equal(undefined);
      const fan = account(tipper);
      const coin = CreatorCoin__factory.connect(held!.address, provider);
      const before = await coin.balanceOf(fan);
      const [first, second] = [before / 20n, before / 10n];
      await go("/");
      await useAccount(tipper);
      await go("/tips");
      await page.waitForFunction(
        (address) =>
          [...(document.querySelector("#batch-token") as HTMLSelectElement).options].some(
            (o) => o.value === address,
          ),
        {},
        held!.address,
      );
      await page.select("#batch-token", held!.address);
      await page.locator("#batch-0-handle").fill("@alice");
      await fill("#batch-0-amount", formatEther(first));
      await page.locator("#batch-1-handle").fill("bob");
      await fill("#batch-1-amount", formatEther(second));
      await page.locator("#batch-message").fill("coins for the week's work");
      const sent = await provider.getTransactionCount(fan);
      await confirm("Tip 2 creators", [
        `Two transactions: approve the tip jar for exactly`,
        `${held!.symbol} (the total`,
        `Token: ${held!.address}`,
      ]);
      const batch = await eventually(async () => {
        const tips = await tipJar.queryFilter(tipJar.filters.Tipped(undefined, 0n, fan));
        const mine = tips.filter((t) => t.args.message === "coins for the week's work");
        return mine.length === 2 ? mine : undefined;
      }, "the token batch");
      expect(
        batch.map((t) => [t.args.profileId, t.args.token.toLowerCase(), t.args.amount]),
      ).to.deep.equal([
        [await registry.profileIdOfHandle("alice"), held!.address.toLowerCase(), first],
        [await registry.profileIdOfHandle("bob"), held!.address.toLowerCase(), second],
      ]);
      expect(batch[0].transactionHash).to.equal(batch[1].transactionHash);
      const tx = await provider.getTransaction(batch[0].transactionHash);
      expect(tipJar.interface.parseTransaction(tx!)!.name).to.equal("tipTokenBatchWithReferrer");
      expect(await provider.getTransactionCount(fan), "approve, then the batch").to.equal(sent + 2);
      expect(await coin.balanceOf(fan)).to.equal(before - first - second);
      expect(await coin.allowance(fan, contracts.TipJar.address)).to.equal(0n);
      await txStatus("form.batch-tip", "confirmed");
    });
  });

  describe("for DAO members", function () {
    it("delegates votes that did not count", async function () {
      const token = GovernanceToken__factory.connect(contracts.GovernanceToken.address, provider);
      await go("/dao");
      await useAccount(FRANK);
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=delegate]")?.textContent?.includes("nobody"),
      );
      await confirm(
        "Delegate to myself",
        "Delegates the voting power of 1,000,000 AGORA to yourself",
      );
      await page.waitForFunction(
        () => document.querySelector("[data-testid=voting-power]")?.textContent === "1,000,000",
      );
      expect(await text("[data-testid=delegate]")).to.equal("yourself");
      expect(await token.getVotes(account(FRANK))).to.equal(parseEther("1000000"));
    });

    it("votes on the open proposal, reaching its quorum, then queues and executes it", async function () {
      const governor = AgoraGovernor__factory.connect(contracts.AgoraGovernor.address, provider);
      const split = RevenueSplit__factory.connect(contracts.RevenueSplit.address, provider);
      const { proposals } = await gql<{ proposals: { nodes: { id: string }[] } }>(
        stack.apiUrl,
        `{ proposals(where: { state: "Active" }) { nodes { id } } }`,
      );
      expect(proposals.nodes).to.have.length(1);
      const id = proposals.nodes[0].id;
      await useAccount(DAVE);
      await go(`/dao/proposal/${id}`);
      await shows("not reached yet");
      await page.locator("#vote-reason").fill("Creators bring the volume");
      await confirm("Cast vote", [
        `Votes For on “${OPEN_PROPOSAL}” with`,
        "votes (your voting power at the snapshot), giving the reason “Creators bring the volume”",
        "Set the revenue allocation to",
      ]);
      await txStatus(".vote-form", "confirmed");
      await shows("· reached");
      expect(await governor.hasVoted(id, account(DAVE))).to.equal(true);
      await screenshot(page, "voted");

      const wait = async (seconds: bigint) => {
        await rpc(stack.rpcUrl, "evm_increaseTime", [Number(seconds) + 1]);
        await rpc(stack.rpcUrl, "evm_mine", []);
      };
      await wait(await governor.votingPeriod());
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector("::-p-text(Queue for execution)");
      expect(await text("[data-testid=proposal-state]")).to.equal("Succeeded");
      await confirm("Queue for execution", `Queues “${OPEN_PROPOSAL}” in the timelock`);
      await page.waitForFunction(
        () => document.querySelector("[data-testid=proposal-state]")?.textContent === "Queued",
      );
      expect(await governor.state(id)).to.equal(5n);

      const timelock = await governor.timelock();
      const delay = await (
        await import("../../typechain-types")
      ).AgoraTimelock__factory.connect(timelock, provider).getMinDelay();
      await wait(delay);
      await page.reload({ waitUntil: "load" });
      await confirm("Execute", `Executes “${OPEN_PROPOSAL}”: the timelock carries out`);
      await page.waitForFunction(
        () => document.querySelector("[data-testid=proposal-state]")?.textContent === "Executed",
      );
      expect(await governor.state(id)).to.equal(7n);
      expect(await split.creatorShareBps()).to.equal(4_000n);
      await screenshot(page, "executed");
      await go("/dao");
      await shows("creators 40%");
    });

    it("delegates to another address, then to an @handle", async function () {
      const token = GovernanceToken__factory.connect(contracts.GovernanceToken.address, provider);
      const frank = account(FRANK);
      const balance = await token.balanceOf(frank);
      expect(balance).to.be.greaterThan(0n);
      await go("/dao");
      await useAccount(FRANK);
      await page.waitForFunction(
        () => document.querySelector("[data-testid=delegate]")?.textContent === "yourself",
      );
      const to = account(GRACE);
      const graceVotes = await token.getVotes(to);
      await page.locator("#delegate-to").fill(to);
      await confirm(
        "Delegate",
        `Delegates the voting power of 1,000,000 AGORA to this address (${to}), in place of your current delegate`,
        ".delegation form",
      );
      await page.waitForFunction(
        (short) => document.querySelector("[data-testid=delegate]")?.textContent === short,
        {},
        `${to.slice(0, 6)}…${to.slice(-4)}`,
      );
      expect(await text("[data-testid=voting-power]")).to.equal("0");
      expect(await token.delegates(frank)).to.equal(to);
      expect(await token.getVotes(to)).to.equal(graceVotes + balance);
      expect(await page.$eval("#delegate-to", (i) => (i as HTMLInputElement).value)).to.equal("");

      const heidi = account(HEIDI);
      const heidiVotes = await token.getVotes(heidi);
      await page.locator("#delegate-to").fill("@heidi");
      await confirm(
        "Delegate",
        `Delegates the voting power of 1,000,000 AGORA to @heidi (${heidi})`,
        ".delegation form",
        "delegate-confirm",
      );
      await page.waitForFunction(
        (short) => document.querySelector("[data-testid=delegate]")?.textContent === short,
        {},
        `${heidi.slice(0, 6)}…${heidi.slice(-4)}`,
      );
      expect(await token.delegates(frank)).to.equal(heidi);
      expect(await token.getVotes(heidi)).to.equal(heidiVotes + balance);
      expect(await token.getVotes(to)).to.equal(graceVotes);
      const moves = await token.queryFilter(token.filters.DelegateChanged(frank));
      expect(moves.map((m) => m.args.toDelegate).slice(-2)).to.deep.equal([to, heidi]);
    });
  });
});
