import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { APP_DIST } from "../scripts/build-app";
import chromium from "@sparticuz/chromium";
import { caughtUp, gql, startStack } from "../test/app/stack";
import { writeFigures } from "./figures";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "bench", "app.json");

/** The JavaScript a first visit loads before the app renders: the entry and what it preloads. */
function initialBundle(): { files: string[]; bytes: number; gzipBytes: number } {
  const html = fs.readFileSync(path.join(APP_DIST, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]+src="\.\/([^"]+\.js)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]+href="\.\/([^"]+\.js)"/g),
  ].map((match) => match[1]);
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of new Set(files)) {
    const content = fs.readFileSync(path.join(APP_DIST, file));
    bytes += content.length;
    gzipBytes += zlib.gzipSync(content, { level: 9 }).length;
  }
  return { files: [...new Set(files)], bytes, gzipBytes };
}

interface LighthouseResult {
  categories: Record<string, { score: number }>;
  audits: Record<string, { numericValue?: number }>;
}

/**
 * One Lighthouse 12 run (its CLI: Lighthouse is an ES module), which starts its own instance of
 * the Chromium that @sparticuz/chromium ships.
 */
async function lighthouse(url: string, chromePath: string): Promise<LighthouseResult> {
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "agora-lh-")), "report.json");
  const cli = path.join(ROOT, "node_modules", "lighthouse", "cli", "index.js");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        cli,
        url,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-zygote --single-process",
        "--only-categories=performance,accessibility",
        "--output=json",
        `--output-path=${output}`,
        "--quiet",
      ],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CHROME_PATH: chromePath } },
    );
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`lighthouse exited with ${code}`)),
    );
  });
  const result = JSON.parse(fs.readFileSync(output, "utf8")) as LighthouseResult;
  fs.rmSync(path.dirname(output), { recursive: true, force: true });
  return result;
}

const RUNS = 3;

/** The run with the median performance score, as Lighthouse advises for noisy machines. */
async function medianRun(url: string, chromePath: string): Promise<LighthouseResult> {
  const runs: LighthouseResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    // On a busy machine Lighthouse sometimes gives up waiting for Chromium: run it again.
    for (let attempt = 1; ; attempt++) {
      try {
        runs.push(await lighthouse(url, chromePath));
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        console.warn(`lighthouse run failed (${(error as Error).message}); running it again`);
      }
    }
  }
  runs.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  return runs[Math.floor(RUNS / 2)];
}

/**
 * `npm run bench:app`: Lighthouse's performance and accessibility scores (its default mobile
 * profile: a mid-range phone on a slow 4G network, simulated) on the feed and a coin page of
 * the `npm start` demo, the median of three runs each, and the size of the JavaScript a first
 * visit loads.
 */
async function main(): Promise<void> {
  const stack = await startStack();
  const chromePath = await chromium.executablePath();
  try {
    await caughtUp(stack.apiUrl);
    const { coinByHandle } = await gql<{ coinByHandle: { address: string } }>(
      stack.apiUrl,
      `{ coinByHandle(handle: "alice") { address } }`,
    );
    const pages = { feed: "/", coin: `/coin/${coinByHandle.address}` };
    const scores: Record<string, unknown> = {};
    for (const [name, route] of Object.entries(pages)) {
      const result = await medianRun(`${stack.appUrl}#${route}`, chromePath);
      scores[name] = {
        route,
        performance: Math.round(result.categories.performance.score * 100),
        accessibility: Math.round(result.categories.accessibility.score * 100),
        firstContentfulPaintMs: Math.round(
          result.audits["first-contentful-paint"].numericValue ?? 0,
        ),
        largestContentfulPaintMs: Math.round(
          result.audits["largest-contentful-paint"].numericValue ?? 0,
        ),
        totalBlockingTimeMs: Math.round(result.audits["total-blocking-time"].numericValue ?? 0),
        cumulativeLayoutShift:
          Math.round((result.audits["cumulative-layout-shift"].numericValue ?? 0) * 1000) / 1000,
      };
      console.log(name, scores[name]);
    }
    const bundle = initialBundle();
    const figures = {
      lighthouse: `12.2.3, default mobile profile (simulated slow 4G, 4x CPU slowdown), median of ${RUNS} runs`,
      pages: scores,
      initialJavaScript: {
        files: bundle.files.length,
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        budgetGzipBytes: 250_000,
      },
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    };
    await writeFigures(OUT, figures);
    console.log(`wrote ${path.relative(ROOT, OUT)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
