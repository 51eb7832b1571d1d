import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import pg from "pg";
import pino from "pino";
import { installedBinaries, startDevnetPostgres } from "../../devnet/postgres";
import { freePort } from "./helpers";

const logger = pino({ level: "silent" });
const asRoot = process.getuid?.() === 0;

describe("npm start's PostgreSQL (devnet/postgres.ts)", function () {
  // A private folder, as root's home (mode 700) or `mktemp -d` gives: only its owner enters it.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "agora-private-"));
  const version = `0.0.0-test-${process.pid}`;
  const sharedCopy = path.join(os.tmpdir(), `agora-postgres-${version}`);

  after(function () {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(sharedCopy, { recursive: true, force: true });
  });

  it("runs with its binaries and its data inside a folder only its owner can enter, and keeps the data", async function () {
    expect(fs.statSync(home).mode & 0o777).to.equal(0o700);
    // The platform package as a clone in that folder holds it: its binaries and package.json.
    const binaries = path.join(home, "clone", "node_modules", "pg-binaries", "native");
    fs.cpSync(installedBinaries(), binaries, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(binaries, "..", "package.json"), JSON.stringify({ version }));
    const dir = path.join(home, "clone", ".data", "postgres");
    const port = await freePort();

    const first = await startDevnetPostgres({ dir, port, logger, binaries });
    try {
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query("CREATE TABLE kept (note text)");
      await client.query("INSERT INTO kept VALUES ('written before a restart')");
      await client.end();
    } finally {
      await first.stop();
    }
    if (asRoot) {
      // The server ran as the postgres user, from a copy of the binaries every user can reach.
      const postgresUid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
      expect(fs.statSync(dir).uid).to.equal(postgresUid);
      const copy = fs.statSync(sharedCopy);
      expect(copy.uid).to.equal(0);
      expect(copy.mode & 0o777).to.equal(0o755);
      expect(fs.existsSync(path.join(sharedCopy, "bin", "postgres"))).to.equal(true);
    }

    const second = await startDevnetPostgres({ dir, port, logger, binaries });
    try {
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const { rows } = await client.query("SELECT note FROM kept");
      await client.end();
      expect(rows).to.deep.equal([{ note: "written before a restart" }]);
    } finally {
      await second.stop();
    }
  });

  it("refuses a data folder that holds something else, naming it", async function () {
    const dir = path.join(home, "not-postgres");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    const error = await startDevnetPostgres({ dir, port: await freePort(), logger }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).to.contain(`${dir} holds files but no PostgreSQL data folder`);
    expect(fs.readFileSync(path.join(dir, "notes.txt"), "utf8")).to.equal("mine");
  });
});
