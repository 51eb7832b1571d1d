import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../indexer/config";
import { builtEntryPoint } from "../build";

const ROOT = path.resolve(__dirname, "../..");
const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "agora-config-"));
}

function deploymentFile(dir: string, chainId = 31337): string {
  const file = path.join(dir, "localhost.json");
  writeFileSync(
    file,
    JSON.stringify({
      chainId,
      commit: "x",
      contracts: { ProfileRegistry: { address: ADDRESS, blockNumber: 1 } },
    }),
  );
  return file;
}

/** The ConfigError `loadConfig` throws for this environment. */
function configError(env: Record<string, string>, configFile?: string): ConfigError {
  try {
    loadConfig({ env, configFile });
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail("loadConfig accepted the configuration");
}

describe("indexer: config", function () {
  describe("reads every option", function () {
    it("from the environment, then the JSON config file, then the defaults", function () {
      const dir = tempDir();
      const file = path.join(dir, "indexer.json");
      writeFileSync(
        file,
        JSON.stringify({
          deploymentFile: deploymentFile(dir),
          confirmations: 3,
          maxBlockRange: 200,
        }),
      );
      const config = loadConfig({ env: { INDEXER_CONFIG: file, MAX_BLOCK_RANGE: "5000" } });
      expect(config.confirmations).to.equal(3);
      expect(config.maxBlockRange).to.equal(5000);
      expect(config.initialBlockRange).to.equal(100);
    });

    it("takes addresses and start blocks from the deployment file, lowercased", function () {
      const config = loadConfig({
        env: { DEPLOYMENT_FILE: deploymentFile(tempDir()), INITIAL_BLOCK_RANGE: "10" },
      });
      expect(config.chainId).to.equal(31337);
      expect(config.deployment.contracts.ProfileRegistry).to.deep.equal({
        address: ADDRESS.toLowerCase(),
        blockNumber: 1n,
      });
      expect(config.databaseUrl).to.equal("");
      expect(config.embeddedPostgresDir).to.equal(path.resolve(".data/postgres"));
      expect(config).to.include({
        backoffBaseMs: 100,
        backoffMaxMs: 30_000,
        rpcTimeoutMs: 30_000,
        rpcMaxResponseBytes: 64 * 1024 * 1024,
        bloomCheckDepth: 1_000,
        readyMaxLagBlocks: 10,
        readyTimeoutMs: 2_000,
        databaseConnectTimeoutMs: 10_000,
      });
    });
  });

  describe("names the option that is wrong", function () {
    const valid = () => ({ DEPLOYMENT_FILE: deploymentFile(tempDir()), INITIAL_BLOCK_RANGE: "10" });

    it("a negative or non-numeric number", function () {
      expect(configError({ ...valid(), CONFIRMATIONS: "-1" }).message).to.match(
        /CONFIRMATIONS .*integer >= 0/,
      );
      expect(configError({ ...valid(), MAX_REORG_DEPTH: "ten" }).option).to.match(
        /^MAX_REORG_DEPTH/,
      );
      expect(configError({ ...valid(), POLL_INTERVAL_MS: "1.5" }).option).to.match(
        /^POLL_INTERVAL_MS/,
      );
    });

    it("an RPC URL that is not http(s)", function () {
      expect(configError({ ...valid(), RPC_URL: "localhost:8545" }).option).to.match(/^RPC_URL/);
    });

    it("a database URL that is not postgres://", function () {
      expect(configError({ ...valid(), DATABASE_URL: "mysql://x" }).option).to.match(
        /^DATABASE_URL/,
      );
    });

    it("a malformed database URL, instead of connecting to localhost, without echoing its password", function () {
      for (const url of [
        "postgres://::::@@@/",
        "postgres://user:secret@db.example:99999/agora",
        "postgres://user:secret@db.example:port/agora",
        "postgres:///agora",
        "postgres://",
      ]) {
        const error = configError({ ...valid(), DATABASE_URL: url });
        expect(error.option, url).to.match(/^DATABASE_URL/);
        expect(error.message, url).to.contain("postgres://user:password@host:5432/database");
        expect(error.message, url).not.to.contain("secret");
      }
    });

    it("accepts a database URL with a host, or a Unix socket named by ?host=", function () {
      for (const url of [
        "postgres://user:p%40ss@db.example:5432/agora",
        "postgresql://127.0.0.1/agora",
        "postgres:///agora?host=/var/run/postgresql",
      ]) {
        expect(loadConfig({ env: { ...valid(), DATABASE_URL: url } }).databaseUrl).to.equal(url);
      }
    });

    it("a backoff cap below its base", function () {
      expect(
        configError({ ...valid(), BACKOFF_BASE_MS: "500", BACKOFF_MAX_MS: "100" }).option,
      ).to.match(/^BACKOFF_MAX_MS/);
    });

    it("a chain id other than the deployment's", function () {
      const error = configError({ ...valid(), CHAIN_ID: "1" });
      expect(error.option).to.match(/^CHAIN_ID/);
      expect(error.message).to.contain("deployed on chain 31337");
    });

    it("a maximum range below the initial range", function () {
      expect(
        configError({ ...valid(), INITIAL_BLOCK_RANGE: "100", MAX_BLOCK_RANGE: "10" }).option,
      ).to.match(/^MAX_BLOCK_RANGE/);
    });

    it("a missing or malformed deployment file, with the fix", function () {
      const missing = configError({ DEPLOYMENT_FILE: "/nonexistent/x.json" });
      expect(missing.option).to.match(/^DEPLOYMENT_FILE/);
      expect(missing.message).to.contain("npm run deploy");
      const dir = tempDir();
      const bad = path.join(dir, "bad.json");
      writeFileSync(
        bad,
        JSON.stringify({
          chainId: 1,
          contracts: { ProfileRegistry: { address: "0x12", blockNumber: 1 } },
        }),
      );
      expect(configError({ DEPLOYMENT_FILE: bad }).message).to.contain(
        "contracts.ProfileRegistry.address",
      );
    });

    it("an unknown key or a wrong type in the config file", function () {
      const dir = tempDir();
      const file = path.join(dir, "indexer.json");
      writeFileSync(file, JSON.stringify({ confirmation: 3 }));
      expect(configError({}, file).option).to.contain('"confirmation"');
      writeFileSync(file, JSON.stringify({ deploymentFile: deploymentFile(dir), rpcUrl: 8545 }));
      expect(configError({}, file).option).to.match(/^RPC_URL/);
    });

    it("and the process exits with code 2 and that message in its JSON log", function () {
      const result = spawnSync(process.execPath, [builtEntryPoint("indexer/main.ts")], {
        cwd: ROOT,
        env: { ...process.env, ...valid(), CONFIRMATIONS: "many" },
        encoding: "utf8",
      });
      expect(result.status).to.equal(2);
      const line = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
      expect(line.level).to.equal("fatal");
      expect(line.option).to.match(/^CONFIRMATIONS/);
      expect(line.msg).to.contain("must be an integer");
    });
  });
});
