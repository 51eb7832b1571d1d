import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { parseEther } from "ethers";
import {
  checkConcentration,
  loadParameters,
  ParametersError,
  parseParameters,
  parametersPath,
} from "../../deploy/parameters";

const ROOT = path.resolve(__dirname, "..", "..");
const DEV_FILE = path.join(ROOT, "deploy", "parameters", "localhost.json");
const ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const STRANGER = "0x000000000000000000000000000000000000dEaD";

type Json = Record<string, unknown>;
const dev = (): Json => JSON.parse(fs.readFileSync(DEV_FILE, "utf8")) as Json;

/** The problems `raw` is refused with. */
function problemsOf(raw: unknown): string[] {
  try {
    parseParameters(raw, "test.json");
  } catch (error) {
    expect(error).to.be.instanceOf(ParametersError);
    return (error as ParametersError).problems;
  }
  throw new Error("the parameters were accepted");
}

/** A copy of the dev parameters changed by `edit`. */
function devWith(edit: (raw: Json) => void): Json {
  const raw = dev();
  edit(raw);
  return raw;
}

describe("Deployment parameters (deploy/parameters.ts)", function () {
  describe("the committed files", function () {
    for (const file of fs.readdirSync(path.join(ROOT, "deploy", "parameters"))) {
      it(`accepts ${file}, whose distribution adds up to its supply`, function () {
        const parameters = loadParameters(path.join(ROOT, "deploy", "parameters", file));
        const total = parameters.distribution.reduce((sum, a) => sum + a.amount, 0n);
        expect(total).to.equal(parameters.token.supply);
        // No one reaches quorum alone, whoever deploys.
        checkConcentration(parameters, STRANGER, file);
      });
    }

    it("gives the local demo several self-delegated holders, none reaching quorum alone", function () {
      const parameters = loadParameters(DEV_FILE);
      const holders = parameters.distribution.filter((a) => a.recipient !== "timelock");
      expect(holders).to.have.length(6);
      expect(holders.filter((a) => a.selfDelegate)).to.have.length(5);
      expect(parameters.allowConcentration).to.deep.equal(["proposalThreshold"]);
      expect(parameters.revenue.buckets.map((b) => b.recipient)).to.not.include(ACCOUNT_0);
    });

    it("uses the dev file for the in-process network and a local node, DEPLOY_PARAMETERS first", function () {
      expect(parametersPath(ROOT, "hardhat", {})).to.equal(DEV_FILE);
      expect(parametersPath(ROOT, "localhost", {})).to.equal(DEV_FILE);
      expect(parametersPath(ROOT, "base", {})).to.equal(
        path.join(ROOT, "deploy", "parameters", "base.json"),
      );
      expect(parametersPath(ROOT, "base", { DEPLOY_PARAMETERS: "/tmp/p.json" })).to.equal(
        "/tmp/p.json",
      );
    });
  });

  describe("refuses a bad file, naming each field", function () {
    const cases: [string, (raw: Json) => void, RegExp][] = [
      [
        "an unknown field (a typo)",
        (r) => (r.quorumPercent = 4),
        /^file\.quorumPercent: is not a known field/,
      ],
      [
        "a supply that is not a decimal string",
        (r) => ((r.token as Json).supply = 1e26),
        /^token\.supply: must be a number of tokens as a decimal string/,
      ],
      [
        "a negative amount",
        (r) => ((r.distribution as Json[])[1].amount = "-5"),
        /^distribution\[1\]\.amount: must be a number of tokens/,
      ],
      [
        "a distribution that misses the supply",
        (r) => ((r.distribution as Json[])[0].amount = "93999999"),
        /^distribution: amounts add up to 99,999,999 tokens but token\.supply is 100,000,000/,
      ],
      [
        "a bad checksum",
        (r) =>
          ((r.distribution as Json[])[1].recipient = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        /^distribution\[1\]\.recipient: must be "timelock" or a 0x address with a valid checksum/,
      ],
      [
        "the zero address",
        (r) =>
          (((r.revenue as Json).buckets as Json[])[0].recipient =
            "0x0000000000000000000000000000000000000000"),
        /^revenue\.buckets\[0\]\.recipient: must not be the zero address/,
      ],
      [
        "a name used twice",
        (r) => ((r.distribution as Json[])[2].name = "demo account 0"),
        /^distribution\[2\]\.name: "demo account 0" is used twice/,
      ],
      [
        "a protocol fee above the contract's cap",
        (r) => ((r.fees as Json).protocolFeeBps = 501),
        /^fees\.protocolFeeBps: must be an integer from 0 to 500, got 501/,
      ],
      [
        "a tip fee above the contract's cap",
        (r) => ((r.fees as Json).tipFeeBps = 1001),
        /^fees\.tipFeeBps: must be an integer from 0 to 1000/,
      ],
      [
        "a referrer share above the contracts' cap",
        (r) => ((r.fees as Json).coinReferrerShareBps = 5001),
        /^fees\.coinReferrerShareBps: must be an integer from 0 to 5000, got 5001/,
      ],
      [
        "a missing tip referrer share",
        (r) => delete (r.fees as Json).tipReferrerShareBps,
        /^fees\.tipReferrerShareBps/,
      ],
      [
        "revenue shares that do not add up",
        (r) => ((r.revenue as Json).creatorShareBps = 1999),
        /^revenue: bucket bps plus creatorShareBps add up to 9999, not 10000/,
      ],
      [
        "nine buckets",
        (r) =>
          ((r.revenue as Json).buckets = Array.from({ length: 9 }, (_, i) => ({
            name: `b${i}`,
            recipient: "timelock",
            bps: i === 0 ? 8000 - 8 : 1,
          }))),
        /^revenue\.buckets: must hold 1 to 8 buckets, got 9/,
      ],
      [
        "a quorum of 0%",
        (r) => ((r.governor as Json).quorumPercent = 0),
        /^governor\.quorumPercent: must be an integer from 1 to 100/,
      ],
      [
        "a voting period of zero",
        (r) => ((r.governor as Json).votingPeriod = 0),
        /^governor\.votingPeriod: must be an integer from 1/,
      ],
      [
        "a threshold above the supply",
        (r) => ((r.governor as Json).proposalThreshold = "100000001"),
        /^governor\.proposalThreshold: is more than the whole supply/,
      ],
      [
        "a vesting treasury",
        (r) => ((r.distribution as Json[])[0].vesting = { start: 0, duration: 10 }),
        /^distribution\[0\]\.vesting: the treasury is the timelock's already/,
      ],
      [
        "a vesting wallet asked to delegate",
        (r) => ((r.distribution as Json[])[1].vesting = { start: 0, duration: 10 }),
        /^distribution\[1\]\.selfDelegate: a vesting wallet cannot delegate/,
      ],
      [
        "a token name with a bidirectional override",
        (r) => ((r.token as Json).name = "Agora\u202eevil"),
        /^token\.name: must not contain control or bidirectional characters/,
      ],
      [
        "an unknown concentration limit",
        (r) => (r.allowConcentration = ["everything"]),
        /^allowConcentration\[0\]: must be "quorum" or "proposalThreshold"/,
      ],
      [
        "an empty distribution",
        (r) => (r.distribution = []),
        /^distribution: must name at least one recipient/,
      ],
    ];
    for (const [what, edit, message] of cases) {
      it(`refuses ${what}`, function () {
        const problems = problemsOf(devWith(edit));
        expect(
          problems.some((p) => message.test(p)),
          problems.join("\n"),
        ).to.equal(true);
      });
    }

    it("lists every problem at once", function () {
      const problems = problemsOf(
        devWith((r) => {
          (r.fees as Json).tipFeeBps = -1;
          (r.governor as Json).quorumPercent = 101;
          delete r.token;
        }),
      );
      expect(problems.length).to.be.at.least(3);
    });

    it("refuses a file that is not JSON, naming the file", function () {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "agora-params-")), "bad.json");
      fs.writeFileSync(file, "{ not json");
      expect(() => loadParameters(file)).to.throw(
        ParametersError,
        /bad\.json is not a valid parameters file:\n {2}- cannot be read as JSON/,
      );
    });

    it("refuses hostile values without crashing: nulls, arrays, huge strings", function () {
      for (const raw of [
        null,
        [],
        "x",
        42,
        { chainId: "1" },
        devWith((r) => ((r.token as Json).name = "x".repeat(100_000))),
      ]) {
        expect(problemsOf(raw).length).to.be.at.least(1);
      }
    });
  });

  describe("refuses a concentrated genesis unless the file accepts it", function () {
    it("refuses one holder reaching quorum, naming the deployer", function () {
      const parameters = parseParameters(
        devWith((r) => {
          const d = r.distribution as Json[];
          d[0].amount = "90000000";
          d[1].amount = "5000000";
        }),
      );
      expect(() => checkConcentration(parameters, ACCOUNT_0)).to.throw(
        ParametersError,
        /0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(the deployer\) would hold 5,000,000 tokens, reaching quorum \(4,000,000\) alone/,
      );
      parameters.allowConcentration.push("quorum");
      checkConcentration(parameters, ACCOUNT_0);
    });

    it("counts a beneficiary's vesting allocation with its own", function () {
      const parameters = parseParameters(
        devWith((r) => {
          const d = r.distribution as Json[];
          d[0].amount = "91000000";
          d.push({
            name: "vested",
            recipient: d[2].recipient,
            amount: "3000000",
            vesting: { start: 0, duration: 100 },
          });
        }),
      );
      expect(() => checkConcentration(parameters, STRANGER)).to.throw(
        /would hold 4,000,000 tokens, reaching quorum/,
      );
    });

    it("refuses holders reaching the proposal threshold unless allowConcentration names it", function () {
      const parameters = parseParameters(devWith((r) => delete r.allowConcentration));
      expect(() => checkConcentration(parameters, STRANGER)).to.throw(
        /reaching the proposal threshold \(10,000\) alone; add "proposalThreshold"/,
      );
    });

    it("never makes the deployer a bucket unless allowDeployerBucket says so", function () {
      const raw = devWith(
        (r) => (((r.revenue as Json).buckets as Json[])[0].recipient = ACCOUNT_0),
      );
      expect(() => checkConcentration(parseParameters(raw), ACCOUNT_0)).to.throw(
        /revenue\.buckets\[0\]: the deployer .* is a revenue bucket/,
      );
      checkConcentration(parseParameters({ ...raw, allowDeployerBucket: true }), ACCOUNT_0);
      // The same file deployed by someone else names an ordinary bucket.
      checkConcentration(parseParameters(raw), STRANGER);
    });

    it("reads amounts with decimals exactly", function () {
      const parameters = parseParameters(
        devWith((r) => {
          const d = r.distribution as Json[];
          d[0].amount = "93999999.5";
          d[1].amount = "1000000.5";
        }),
      );
      expect(parameters.distribution[1].amount).to.equal(parseEther("1000000.5"));
    });
  });
});
