import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { DeploymentFile } from "../deploy/deployment";
import { projectRoot } from "../indexer/root";

const ROOT = projectRoot();
/** Where the app's static files are built (their config placeholder not yet filled). */
export const APP_DIST = path.join(ROOT, "app", "dist");
const PLACEHOLDER = "/*AGORA_CONFIG*/ null";

/** What the page is configured with; the app reads it as `window.__AGORA_CONFIG__`. */
export interface AppConfig {
  network: string;
  chainId: number;
  rpcUrl: string;
  apiUrl: string;
  contracts: DeploymentFile["contracts"];
  /**
   * The address this deployment of the app names as referrer of the trades and tips it sends
   * (credited a share of the protocol fee), from AGORA_APP_REFERRER; absent: none.
   */
  referrer?: string;
}

export function appConfig(deployment: DeploymentFile, apiUrl: string, rpcUrl: string): AppConfig {
  for (const [name, value] of Object.entries({ apiUrl, rpcUrl })) {
    if (!/^https?:\/\/[^\s]+$/.test(value))
      throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  const referrer = process.env.AGORA_APP_REFERRER;
  if (referrer !== undefined && referrer !== "" && !/^0x[0-9a-fA-F]{40}$/.test(referrer)) {
    throw new Error(`AGORA_APP_REFERRER must be an address, got ${JSON.stringify(referrer)}`);
  }
  return {
    network: deployment.network,
    chainId: deployment.chainId,
    rpcUrl,
    apiUrl,
    contracts: deployment.contracts,
    ...(referrer ? { referrer } : {}),
  };
}

/** index.html with the config written into it (escaped so no value can close the script). */
export function injectConfig(html: string, config: AppConfig): string {
  if (!html.includes(PLACEHOLDER)) throw new Error("index.html has no config placeholder");
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  // The page talks to the API and the node from its first script on: connect to them early.
  const origins = [...new Set([config.apiUrl, config.rpcUrl].map((url) => new URL(url).origin))];
  const preconnect = origins
    .map((origin) => `<link rel="preconnect" href="${origin}" crossorigin />`)
    .join("\n    ");
  return html.replace(PLACEHOLDER, json).replace("</title>", `</title>\n    ${preconnect}`);
}

/** The newest modification time among the files the app is built from. */
function newestSource(): number {
  const roots = [path.join(ROOT, "app", "src"), path.join(ROOT, "abi"), path.join(ROOT, "sdk")];
  const files = [path.join(ROOT, "app", "index.html"), path.join(ROOT, "app", "vite.config.mts")];
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
    }
  }
  return Math.max(...files.map((file) => fs.statSync(file).mtimeMs));
}

/**
 * Builds the app with Vite into `outDir` unless a build newer than every source is there. The
 * build goes to a temporary folder first, so a half-written build is never served.
 */
export async function buildApp(outDir = APP_DIST, { force = false } = {}): Promise<void> {
  const stamp = path.join(outDir, "index.html");
  if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newestSource()) return;
  const staging = `${outDir}.building-${process.pid}`;
  const vite = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: path.join(ROOT, "app"),
      env: {
        ...process.env,
        AGORA_APP_OUT_DIR: staging,
        VITE_CONFIG_NATIVE_IGNORE_WARNING: "true",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
}

/**
 * `npm run build:app`: static files in app/dist configured for one deployment. DEPLOYMENT_FILE
 * (default deployments/localhost.json), API_URL (the GraphQL endpoint) and RPC_URL (JSON-RPC
 * for reads; wallets send transactions through their own).
 */
async function main(): Promise<void> {
  const deploymentFile = path.resolve(
    process.env.DEPLOYMENT_FILE ?? path.join(ROOT, "deployments", "localhost.json"),
  );
  if (!fs.existsSync(deploymentFile))
    throw new Error(
      `DEPLOYMENT_FILE ${deploymentFile} does not exist: deploy first or point it at a deployment`,
    );
  const deployment = JSON.parse(fs.readFileSync(deploymentFile, "utf8")) as DeploymentFile;
  const config = appConfig(
    deployment,
    process.env.API_URL ?? "http://127.0.0.1:4000/graphql",
    process.env.RPC_URL ?? "http://127.0.0.1:8545",
  );
  await buildApp(APP_DIST, { force: true });
  const index = path.join(APP_DIST, "index.html");
  fs.writeFileSync(index, injectConfig(fs.readFileSync(index, "utf8"), config));
  console.log(
    `app built for ${config.network} (chain ${config.chainId}) in ${path.relative(process.cwd(), APP_DIST)}`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
