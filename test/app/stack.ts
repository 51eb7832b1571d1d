import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { builtEntryPoint } from "../build";

const ROOT = path.resolve(__dirname, "..", "..");

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One `npm start` (chain, seeded demo, indexer, API, app) shared by every browser scenario. */
export interface Stack {
  appUrl: string;
  apiUrl: string;
  rpcUrl: string;
  deploymentFile: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the stack; `referrer` is the address the app names as referrer of the trades and tips
 * it sends (`AGORA_APP_REFERRER`).
 */
export async function startStack(options: { referrer?: string } = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-app-e2e-"));
  const nodePort = await freePort();
  const deploymentFile = path.join(dataDir, "deployment.json");
  const env: Record<string, string | undefined> = {
    ...process.env,
    AGORA_DATA_DIR: dataDir,
    DEPLOYMENT_FILE: deploymentFile,
    AGORA_NODE_PORT: String(nodePort),
    API_PORT: "0",
    APP_PORT: "0",
    INDEXER_HTTP_PORT: "0",
    API_METRICS_PORT: "0",
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    POLL_INTERVAL_MS: "100",
    AGORA_APP_REFERRER: options.referrer ?? "",
  };
  for (const name of ["RPC_URL", "DATABASE_URL", "NETWORK", "INDEXER_CONFIG", "CHAIN_ID"])
    delete env[name];
  // What `npm start` runs after its build step.
  const child: ChildProcess = spawn(process.execPath, [builtEntryPoint("devnet/start.ts")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 300_000;
  for (;;) {
    const app = /App\s+(http:\/\/\S+)/.exec(output);
    const api = /GraphQL API \+ GraphiQL\s+(http:\/\/\S+)/.exec(output);
    if (app && api) {
      return {
        appUrl: app[1],
        apiUrl: api[1],
        rpcUrl: `http://127.0.0.1:${nodePort}`,
        deploymentFile,
        output: () => output,
        async stop() {
          if (child.exitCode === null) {
            child.kill("SIGINT");
            const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
            await exited;
            clearTimeout(timer);
          }
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start printed no app URL within 300 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The package's flags are made for one page in a serverless function; a test wants a browser as
 * people have it: several pages (no single process) and the same-origin policy (web security
 * on), so that the app's calls to the API and the node go through CORS as in any browser.
 */
const DROPPED_FLAGS = [
  "--single-process",
  "--disable-web-security",
  "--allow-running-insecure-content",
];

/** Headless Chromium from the @sparticuz/chromium package: nothing to download. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args.filter((flag) => !DROPPED_FLAGS.includes(flag)), "--lang=en-US"],
    headless: true,
    env: { ...process.env, LANG: "en_US.UTF-8", TZ: "UTC" },
  });
}

/** A page that fails the test on any uncaught error in the app. */
export async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  page.on("pageerror", (error) => errors.push(String((error as Error).message ?? error)));
  await page.setViewport({ width: 1280, height: 900 });
  return page;
}

/** Where the tests put their screenshots: look at them. */
export const SCREENSHOT_DIR = path.join(ROOT, ".shots", "e2e");

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file as `${string}.png`, fullPage: false });
  return file;
}

type Json = Record<string, unknown>;

export async function gql<T = Json>(apiUrl: string, query: string): Promise<T> {
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const reply = (await response.json()) as { data?: T; errors?: unknown[] };
  if (reply.errors) throw new Error(JSON.stringify(reply.errors));
  return reply.data!;
}

/** Polls `condition` until it returns a value, for at most `ms`. */
export async function eventually<T>(
  condition: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${ms} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Resolves once the indexer has every block of the chain (the seed included). */
export async function caughtUp(apiUrl: string): Promise<void> {
  await eventually(async () => {
    const { indexerStatus } = await gql<{ indexerStatus: { headLag: string | null } | null }>(
      apiUrl,
      "{ indexerStatus { headLag } }",
    );
    return indexerStatus?.headLag === "0";
  }, "the indexer catching up with the chain");
}
