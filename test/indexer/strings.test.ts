import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AbiCoder,
  getBytes,
  hexlify,
  parseEther,
  type BaseContract,
  type Log,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import { encodeAbiParameters, parseAbi, toEventSelector, type AbiEvent, type Hex } from "viem";
import { DAO_DEFAULTS } from "../../deploy/dao";
import { deploySuite, type Suite } from "../../deploy/suite";
import { insertRows, type BulkColumn } from "../../indexer/db/bulk";
import { migrate } from "../../indexer/db/migrate";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { HANDLERS } from "../../indexer/handlers";
import { governorHandler } from "../../indexer/handlers/governance";
import { insertJsonRows, stringColumns, stringListColumns } from "../../indexer/handlers/rows";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import {
  compileEventDecoder,
  decodeString,
  DecodeError,
  DISPLAY_TEXT_MAX_BYTES,
  type DecodedLog,
  type DecodedString,
} from "../../indexer/sync/decode";
import type { RpcLog } from "../../indexer/sync/rpc";
import {
  checksumTables,
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { bytesOf, sendWithRawStrings as send } from "./rawStrings";
import { subscribeSse } from "./sse";
import { writeSuiteDeployment } from "./suiteHelpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const MiB = 1024 * 1024;

/**
 * The display text the indexer must store for `bytes`, computed without TextDecoder: UTF-8
 * decoded byte by byte as the WHATWG Encoding Standard specifies (each maximal ill-formed
 * subpart becomes one U+FFFD), NUL as U+FFFD, then at most DISPLAY_TEXT_MAX_BYTES bytes of
 * whole characters.
 */
function referenceDisplay(bytes: Uint8Array): string {
  const out: string[] = [];
  let size = 0;
  const emit = (char: string, length: number) => {
    if (size + length > DISPLAY_TEXT_MAX_BYTES) return false;
    out.push(char);
    size += length;
    return true;
  };
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      if (!emit(lead === 0 ? "\uFFFD" : String.fromCharCode(lead), lead === 0 ? 3 : 1)) break;
      i++;
      continue;
    }
    let need = 0;
    let lower = 0x80;
    let upper = 0xbf;
    let codePoint = 0;
    if (lead >= 0xc2 && lead <= 0xdf) [need, codePoint] = [1, lead & 0x1f];
    else if (lead >= 0xe0 && lead <= 0xef) {
      [need, codePoint] = [2, lead & 0x0f];
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      [need, codePoint] = [3, lead & 0x07];
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    }
    if (need === 0) {
      if (!emit("\uFFFD", 3)) break;
      i++;
      continue;
    }
    let j = i + 1;
    let complete = true;
    for (let k = 0; k < need; k++, j++) {
      if (j >= bytes.length || bytes[j] < lower || bytes[j] > upper) {
        complete = false;
        break;
      }
      codePoint = (codePoint << 6) | (bytes[j] & 0x3f);
      [lower, upper] = [0x80, 0xbf];
    }
    // An ill-formed subpart ends before the byte that broke it; that byte starts afresh.
    if (!(complete ? emit(String.fromCodePoint(codePoint), need + 1) : emit("\uFFFD", 3))) break;
    i = j;
  }
  return out.join("");
}

/** Byte sequences that break naive text handling, edge cases first (each distinct). */
const EDGE_CASES: Buffer[] = [
  bytesOf("hi\u0000there"),
  bytesOf("ipfs://x\u0000y"),
  bytesOf([0]),
  bytesOf([0xff]),
  bytesOf([0xfe, 0xff]),
  bytesOf([0xc0, 0x80]), // overlong NUL
  bytesOf([0xe0, 0x80, 0xaf]), // overlong "/"
  bytesOf([0xf0, 0x80, 0x80, 0xaf]),
  bytesOf("cut ", [0xe2, 0x82]), // truncated three-byte sequence at the end
  bytesOf([0xf0, 0x9f, 0x98], "a"), // truncated four-byte sequence, then text
  bytesOf([0x80]), // lone continuation byte
  bytesOf("a", [0x80, 0xbf, 0x80], "b"),
  bytesOf([0xed, 0xa0, 0x80]), // encoded high surrogate U+D800
  bytesOf([0xed, 0xb0, 0x80]), // encoded low surrogate U+DC00
  bytesOf([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), // CESU-8 pair
  bytesOf([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
  bytesOf([0xf5, 0xf8, 0xfc, 0xfd]),
  bytesOf("\uFFFE\uFFFF\uFDD0"), // non-characters: valid UTF-8, kept as they are
  bytesOf("\uFEFFbom"), // a byte order mark is text too
  bytesOf("\u202Eevil\u202C \u200B"), // bidi override, zero-width space: valid, kept
  bytesOf("ünïcødé ✓ 🎉"),
  bytesOf("\\x00 \\ \" ' { } , NULL"), // array and bytea literal syntax
  bytesOf("a", [0], "\u00e9", [0xff], "\ud83d\ude00", [0xc3]),
  Buffer.alloc(300, 0),
  Buffer.from("é".repeat(50_000)), // valid, 100,000 bytes: over the display cap
  Buffer.from("a".repeat(DISPLAY_TEXT_MAX_BYTES)), // valid, exactly the cap
];

/** About 1 MiB, mostly NUL (what fits under Osaka's 2^24 gas per transaction) with ill-formed bytes. */
function megabyte(): Buffer {
  const bytes = Buffer.alloc(MiB, 0);
  for (let i = 0; i < MiB; i += 4096) bytes.set([0xff, 0xed, 0xa0, 0x80, 0x61], i);
  return bytes;
}

/** Random bytes biased towards trouble: UTF-8 of any code point, stray bytes, NUL. */
const hostileBytes = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 8 }).map((text) => Buffer.from(text)),
      fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        ...[[0], [0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]].map((b) =>
          Buffer.from(b),
        ),
      ),
    ),
    { maxLength: 24 },
  )
  .map((parts) => Buffer.concat(parts));

function checkStored(text: string, bytes: Buffer | null, onChain: Buffer, where: string): void {
  const raw = bytes ?? Buffer.from(text, "utf8");
  expect(raw.equals(onChain), `${where}: the bytes read back are the bytes on chain`).to.equal(
    true,
  );
  expect(text, `${where}: display text`).to.equal(referenceDisplay(onChain));
  expect(text.includes("\u0000"), `${where}: NUL in the display text`).to.equal(false);
  // A lone surrogate would not survive the round trip through UTF-8.
  expect(Buffer.from(text, "utf8").toString("utf8"), `${where}: valid Unicode`).to.equal(text);
  expect(Buffer.byteLength(text)).to.be.at.most(DISPLAY_TEXT_MAX_BYTES);
  // Bytes are kept exactly when the text is not their rendering.
  expect(bytes === null, `${where}: bytes kept only when needed`).to.equal(
    Buffer.from(text, "utf8").equals(onChain),
  );
}

describe("indexer: strings from events are anyone's bytes", function () {
  describe("decodeString", function () {
    it("keeps every byte and renders a valid display text, edge cases first", function () {
      for (const bytes of [...EDGE_CASES, megabyte(), Buffer.alloc(0)]) {
        const decoded = decodeString(bytes);
        checkStored(decoded.text, decoded.bytes, bytes, hexlify(bytes.subarray(0, 16)));
        expect(decoded.raw().equals(bytes)).to.equal(true);
      }
      expect(decodeString(bytesOf("hi\u0000there")).text).to.equal("hi\uFFFDthere");
      expect(decodeString(bytesOf([0xed, 0xa0, 0x80])).text).to.equal("\uFFFD\uFFFD\uFFFD");
      expect(decodeString(bytesOf([0xf0, 0x9f, 0x98], "a")).text).to.equal("\uFFFDa");
      expect(decodeString(bytesOf("\uFEFFbom"))).to.deep.include({
        text: "\uFEFFbom",
        bytes: null,
      });
      const long = decodeString(Buffer.from("é".repeat(50_000)));
      expect(long.text).to.equal("é".repeat(DISPLAY_TEXT_MAX_BYTES / 2));
      expect(long.bytes!.length).to.equal(100_000);
      expect(decodeString(Buffer.from("a".repeat(DISPLAY_TEXT_MAX_BYTES))).bytes).to.equal(null);
    });

    it("holds for random hostile bytes (fast-check)", function () {
      fc.assert(
        fc.property(hostileBytes, (bytes) => {
          const decoded = decodeString(bytes);
          checkStored(decoded.text, decoded.bytes, bytes, hexlify(bytes));
        }),
        { numRuns: 2_000 },
      );
    });

    it("keeps bytes exactly for what Postgres refuses as text", async function () {
      const db = await createTestDatabase("idx_strings_pg");
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const samples = [
          ...EDGE_CASES.slice(0, 23),
          ...fc.sample(hostileBytes, { numRuns: 300, seed: 7 }),
        ];
        for (const bytes of samples) {
          let accepted = true;
          try {
            await client.query("SELECT convert_from($1::bytea, 'UTF8')", [bytes]);
          } catch {
            accepted = false;
          }
          const postgresTakesIt = accepted && !bytes.includes(0);
          expect(decodeString(bytes).bytes === null, hexlify(bytes)).to.equal(postgresTakesIt);
        }
      } finally {
        await client.end();
        await db.drop();
      }
    });
  });

  describe("the decoder", function () {
    it("gives the bytes of strings in the fast and the general path, inside arrays and tuples", function () {
      const [fast, general] = parseAbi([
        "event Said(uint256 indexed id, string text, bytes blob)",
        "struct Note { string body; uint8 kind; }",
        "event Listed(string[] names, Note note, string text)",
      ]).filter((item) => item.type === "event") as unknown as AbiEvent[];
      const bytesTwin = (event: AbiEvent) =>
        event.inputs
          .filter((input) => !input.indexed)
          .map((input) =>
            JSON.parse(JSON.stringify(input).replace(/"string(\[\])?"/g, '"bytes$1"')),
          );
      const hostile = EDGE_CASES.slice(0, 20).map((bytes) => hexlify(bytes) as Hex);
      for (const [i, bytes] of hostile.entries()) {
        const said = compileEventDecoder(fast)({
          topics: [toEventSelector(fast), "0x" + "0".repeat(63) + "1"],
          data: encodeAbiParameters(bytesTwin(fast), [bytes, "0xab"]),
        } as RpcLog);
        expect(hexlify((said.text as DecodedString).raw()), `fast ${i}`).to.equal(bytes);
        expect(said.blob).to.equal("0xab");
        const listed = compileEventDecoder(general)({
          topics: [toEventSelector(general)],
          data: encodeAbiParameters(bytesTwin(general), [
            [bytes, "0x", hostile[(i + 1) % hostile.length]],
            { body: bytes, kind: 3 },
            bytes,
          ]),
        } as RpcLog);
        const names = listed.names as DecodedString[];
        expect(names.map((name) => hexlify(name.raw()))).to.deep.equal([
          bytes,
          "0x",
          hostile[(i + 1) % hostile.length],
        ]);
        const note = listed.note as unknown as { body: DecodedString; kind: bigint };
        expect(hexlify(note.body.raw())).to.equal(bytes);
        expect(note.kind).to.equal(3n);
        expect(hexlify((listed.text as DecodedString).raw())).to.equal(bytes);
      }
    });

    it("refuses a string whose hex is malformed instead of cutting it short", function () {
      const [fast] = parseAbi(["event Said(string text)"]) as unknown as AbiEvent[];
      const data =
        "0x" + (32).toString(16).padStart(64, "0") + (2).toString(16).padStart(64, "0") + "zz00";
      expect(() =>
        compileEventDecoder(fast)({ topics: [toEventSelector(fast)], data } as RpcLog),
      ).to.throw(DecodeError, /Said\.text: malformed hex/);
    });
  });

  describe("writing them", function () {
    let db: TestDatabase;
    let pool: pg.Pool;

    before(async function () {
      db = await createTestDatabase("idx_strings_write");
      pool = new pg.Pool({ connectionString: db.url });
      await migrate(pool, logger);
    });

    after(async function () {
      await pool?.end();
      await db?.drop();
    });

    /** A client whose statements are counted. */
    async function countingClient() {
      const client = await pool.connect();
      const counted = { statements: 0 };
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        counted.statements++;
        return query(...args);
      };
      return { client, counted };
    }

    const log = (logIndex: number, args: DecodedLog["args"], event = "Tipped"): DecodedLog => ({
      contract: "TipJar",
      address: "0x" + "1".repeat(40),
      event,
      args,
      blockNumber: 1n,
      blockHash: "0x" + "2".repeat(64),
      timestamp: 0n,
      txHash: "0x" + "3".repeat(64),
      logIndex,
    });

    it("splits a batch of large strings into statements of bounded size, losing nothing", async function () {
      const messages = [...EDGE_CASES, megabyte(), megabyte().subarray(7)];
      const logs = messages.map((bytes, i) => log(i, { message: decodeString(bytes) }));
      const columns: BulkColumn<DecodedLog>[] = [
        { name: "block_number", type: "bigint", value: (row) => row.blockNumber },
        { name: "log_index", type: "integer", value: (row) => row.logIndex },
        { name: "tx_hash", type: "text", value: (row) => row.txHash },
        { name: "timestamp", type: "bigint", value: () => 0 },
        { name: "profile_id", type: "numeric", value: () => 1 },
        { name: "tipper", type: "text", value: () => "0x" },
        { name: "token", type: "text", value: () => "0x" },
        { name: "amount", type: "numeric", value: () => 1 },
        { name: "fee", type: "numeric", value: () => 0 },
        ...stringColumns("message", "message"),
      ];
      const { client, counted } = await countingClient();
      try {
        await insertRows(client, "tips", columns, logs, 512 * 1024);
        // Each megabyte string (2 MiB as hex) needs a statement of its own; the rest share one.
        expect(counted.statements).to.equal(3);
        counted.statements = 0;
        await insertRows(client, "tips", columns, logs);
        expect(counted.statements, "within the default bound: one statement").to.equal(1);
        const { rows } = await client.query<{
          log_index: number;
          message: string;
          message_bytes: Buffer | null;
        }>("SELECT log_index, message, message_bytes FROM tips ORDER BY log_index");
        expect(rows).to.have.length(messages.length);
        for (const row of rows) {
          checkStored(
            row.message,
            row.message_bytes,
            messages[row.log_index],
            `row ${row.log_index}`,
          );
        }
      } finally {
        client.release();
      }
    });

    it("stores string[] elements by the same rule through JSON rows (proposal signatures)", async function () {
      const [created] = parseAbi([
        "event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)",
      ]) as unknown as AbiEvent[];
      const signatures = [
        bytesOf("transfer(address,uint256)"),
        bytesOf([0]),
        bytesOf([0xff, 0x61]),
      ];
      const description = megabyte();
      const twin = created.inputs.map((input) =>
        JSON.parse(JSON.stringify(input).replace(/"string(\[\])?"/g, '"bytes$1"')),
      );
      const data = encodeAbiParameters(twin, [
        7n,
        "0x" + "4".repeat(40),
        ["0x" + "5".repeat(40), "0x" + "5".repeat(40), "0x" + "5".repeat(40)],
        [0n, 0n, 0n],
        signatures.map((bytes) => hexlify(bytes) as Hex),
        ["0x", "0x", "0x"],
        10n,
        20n,
        hexlify(description) as Hex,
      ]);
      const args = compileEventDecoder(created)({
        topics: [toEventSelector(created)],
        data,
      } as RpcLog);
      const { client, counted } = await countingClient();
      try {
        await client.query("BEGIN");
        await governorHandler.apply(client, [log(0, args, "ProposalCreated")]);
        await client.query("COMMIT");
        expect(counted.statements).to.be.greaterThan(0);
        const { rows } = await client.query(
          "SELECT signatures, signatures_bytes, description, description_bytes FROM proposals WHERE id = 7",
        );
        const [row] = rows as {
          signatures: string[];
          signatures_bytes: (Buffer | null)[] | null;
          description: string;
          description_bytes: Buffer | null;
        }[];
        expect(row.signatures_bytes).to.have.length(3);
        signatures.forEach((bytes, i) =>
          checkStored(row.signatures[i], row.signatures_bytes![i], bytes, `signature ${i}`),
        );
        checkStored(row.description, row.description_bytes, description, "description");
      } finally {
        client.release();
      }
    });

    it("splits JSON rows of large strings into statements of bounded size, losing nothing", async function () {
      const { client, counted } = await countingClient();
      try {
        await client.query(
          "CREATE TEMP TABLE notes (block_number int8, log_index int4, names text[], names_bytes bytea[], note text, note_bytes bytea, PRIMARY KEY (block_number, log_index))",
        );
        const lists = [
          [megabyte(), bytesOf("ok")],
          [bytesOf("fine")],
          [bytesOf([0xff]), megabyte()],
        ];
        const logs = lists.map((names, i) =>
          log(i, { names: names.map(decodeString), note: decodeString(names[0]) }),
        );
        const columns = [
          { name: "block_number", type: "int8", value: (row: DecodedLog) => row.blockNumber },
          { name: "log_index", type: "int4", value: (row: DecodedLog) => row.logIndex },
          ...stringListColumns("names", "names"),
          ...stringColumns("note", "note"),
        ];
        counted.statements = 0;
        await insertJsonRows(client, "notes", columns, logs, 3 * MiB);
        expect(counted.statements).to.equal(2);
        const { rows } = await client.query<{
          log_index: number;
          names: string[];
          names_bytes: (Buffer | null)[] | null;
          note: string;
          note_bytes: Buffer | null;
        }>("SELECT * FROM notes ORDER BY log_index");
        expect(rows).to.have.length(3);
        for (const row of rows) {
          const names = lists[row.log_index];
          names.forEach((bytes, i) =>
            checkStored(row.names[i], row.names_bytes?.[i] ?? null, bytes, `names[${i}]`),
          );
          checkStored(row.note, row.note_bytes, names[0], "note");
        }
        expect(rows[1].names_bytes, "no element needs bytes: null as a whole").to.equal(null);
      } finally {
        client.release();
      }
    });
  });

  describe("through the chain, the sync, Postgres and the API", function () {
    /** Every string argument of every event the indexer keeps: where it is stored. */
    const STRING_FIELDS: {
      contract: string;
      event: string;
      table: string;
      args: Record<string, string>;
    }[] = [
      {
        contract: "ProfileRegistry",
        event: "ProfileRegistered",
        table: "profile_registrations",
        args: { handle: "handle", metadataURI: "metadata_uri" },
      },
      {
        contract: "ProfileRegistry",
        event: "HandleChanged",
        table: "handle_changes",
        args: { oldHandle: "old_handle", newHandle: "new_handle" },
      },
      {
        contract: "ProfileRegistry",
        event: "MetadataURIChanged",
        table: "metadata_changes",
        args: { metadataURI: "metadata_uri" },
      },
      {
        contract: "ProfileRegistry",
        event: "Posted",
        table: "posts",
        args: { contentURI: "content_uri" },
      },
      {
        contract: "ProfileRegistry",
        event: "PostedWithRefs",
        table: "posts",
        args: { contentURI: "content_uri" },
      },
      {
        contract: "CreatorCoinFactory",
        event: "CoinLaunched",
        table: "coin_launches",
        args: { handle: "handle" },
      },
      { contract: "TipJar", event: "Tipped", table: "tips", args: { message: "message" } },
      {
        contract: "AgoraGovernor",
        event: "ProposalCreated",
        table: "proposals",
        args: { description: "description", signatures: "signatures" },
      },
      { contract: "AgoraGovernor", event: "VoteCast", table: "votes", args: { reason: "reason" } },
      {
        contract: "AgoraGovernor",
        event: "VoteCastWithParams",
        table: "votes",
        args: { reason: "reason" },
      },
      {
        contract: "Moderation",
        event: "ModerationListCreated",
        table: "moderation_list_names",
        args: { name: "name" },
      },
      {
        contract: "Moderation",
        event: "ModerationListRenamed",
        table: "moderation_list_names",
        args: { name: "name" },
      },
    ];

    let suite: Suite;
    let signers: Signer[];
    let rpc: RpcServer;
    let deploymentFile: string;
    let contracts: Record<string, BaseContract>;
    const databases: TestDatabase[] = [];
    let live: TestDatabase;
    let fresh: TestDatabase;
    /** The strings sent, each through every call that takes one. */
    let strings: Buffer[];

    /** The string arguments of a log, as the bytes on chain (decoded as `bytes`, never as text). */
    function loggedStrings(
      contract: BaseContract,
      log: Log | RpcLog,
    ): Record<string, Buffer | Buffer[]> {
      const event = contract.interface.getEvent(log.topics[0])!;
      const inputs = event.inputs.filter((input) => !input.indexed);
      const values = AbiCoder.defaultAbiCoder().decode(
        inputs.map((input) => input.format("sighash").replace(/\bstring\b/g, "bytes")),
        log.data,
      );
      const out: Record<string, Buffer | Buffer[]> = {};
      inputs.forEach((input, i) => {
        if (input.type === "string") out[input.name] = Buffer.from(getBytes(values[i]));
        if (input.type === "string[]") {
          out[input.name] = (values[i] as string[]).map((item) => Buffer.from(getBytes(item)));
        }
      });
      return out;
    }

    /** Checks that `receipt` emitted `bytes` as argument `arg` of a log of `contract`. */
    function expectCarried(
      receipt: TransactionReceipt,
      contract: BaseContract,
      arg: string,
      bytes: Buffer,
    ) {
      const address = contract.target.toString().toLowerCase();
      const carried = receipt.logs
        .filter((log) => log.address.toLowerCase() === address)
        .map((log) => loggedStrings(contract, log)[arg])
        .filter((value): value is Buffer => Buffer.isBuffer(value));
      expect(carried.length, `${arg} logged`).to.be.greaterThan(0);
      for (const value of carried) expect(value.equals(bytes), `${arg} on chain`).to.equal(true);
    }

    async function checkpoint(url: string): Promise<number> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          "SELECT block_number::text AS n FROM sync_checkpoint",
        );
        return rows.length === 0 ? -1 : Number(rows[0].n);
      } finally {
        await client.end();
      }
    }

    before(async function () {
      signers = await hre.ethers.getSigners();
      const [deployer] = signers;
      suite = await deploySuite(deployer);
      contracts = {
        ProfileRegistry: suite.profileRegistry.contract,
        CreatorCoinFactory: suite.creatorCoinFactory.contract,
        TipJar: suite.tipJar.contract,
        AgoraGovernor: suite.governor.contract,
        Moderation: suite.moderation.contract,
      };
      rpc = await serveProvider(hre.network.provider);
      deploymentFile = writeSuiteDeployment(31337, suite);
      strings = [
        ...EDGE_CASES,
        ...fc.sample(hostileBytes, { numRuns: 40, seed: 20_260_101 }),
      ].filter(
        (bytes, i, all) => bytes.length > 0 && all.findIndex((other) => other.equals(bytes)) === i,
      );
    });

    after(async function () {
      await rpc?.close();
      for (const db of databases) await db.drop();
    });

    it("covers every string argument of every event the handlers keep", function () {
      const declared = HANDLERS.flatMap((handler) => [
        ...handler.events.map((event) => ({ contract: handler.contract, event })),
        ...(handler.children?.events ?? []).map((event) => ({
          contract: handler.children!.contract,
          event,
        })),
      ]).flatMap(({ contract, event }) =>
        event.inputs
          .filter((input) => input.type.startsWith("string"))
          .map((input) => `${contract}.${event.name}.${input.name}`),
      );
      const covered = STRING_FIELDS.flatMap((field) =>
        Object.keys(field.args).map((arg) => `${field.contract}.${field.event}.${arg}`),
      );
      expect(covered.sort()).to.deep.equal(declared.sort());
    });

    it("keeps indexing live and across a restart while every string event carries hostile bytes", async function () {
      const [deployer, ...others] = signers;
      const { profileRegistry, tipJar, governor, creatorCoinFactory } = suite;
      const registry = profileRegistry.contract;
      live = await createTestDatabase("idx_strings_live");
      databases.push(live);
      const config = testConfig(
        testEnv({ rpcUrl: rpc.url, databaseUrl: live.url, deploymentFile }),
      );
      let failure: unknown;
      let indexer: Indexer = await createIndexer({ config, logger });
      let running = indexer.run().catch((error) => (failure = error));

      await send(registry, deployer, "register", [bytesOf("fz_owner"), bytesOf("ipfs://owner")]);
      await send(
        creatorCoinFactory.contract,
        deployer,
        "launch",
        [1n, 100n, 0n, 2n ** 40n],
        parseEther("0.01"),
      );
      await send(registry, deployer, "changeHandle", [1n, bytesOf("fz_renamed")]);
      const target = suite.tipJar.address;
      const calldata = tipJar.contract.interface.encodeFunctionData("setFeeBps", [100]);
      const proposalIds: bigint[] = [];
      const tip = parseEther("0.001");
      let postId = 0n;
      let registered = 1;
      for (const [i, bytes] of strings.entries()) {
        if (i === Math.floor(strings.length / 2)) {
          // Stop between batches and start again from the checkpoint.
          await indexer.stop();
          await running;
          indexer = await createIndexer({ config, logger });
          running = indexer.run().catch((error) => (failure = error));
          const huge = megabyte();
          expectCarried(
            await send(registry, deployer, "post", [1n, huge]),
            registry,
            "contentURI",
            huge,
          );
          expectCarried(
            await send(registry, deployer, "setMetadataURI", [1n, huge.subarray(3)]),
            registry,
            "metadataURI",
            huge.subarray(3),
          );
        }
        const message = bytes.subarray(0, 280);
        if (registered < others.length && i % 3 === 0) {
          const receipt = await send(registry, others[registered - 1], "register", [
            bytesOf(`fz_${i}`),
            bytes,
          ]);
          expectCarried(receipt, registry, "metadataURI", bytes);
          registered++;
        }
        expectCarried(
          await send(registry, deployer, "setMetadataURI", [1n, bytes]),
          registry,
          "metadataURI",
          bytes,
        );
        const posted = await send(
          registry,
          deployer,
          i % 2 === 0 || postId === 0n ? "post" : "postWithRefs",
          i % 2 === 0 || postId === 0n ? [1n, bytes] : [1n, bytes, postId, postId],
        );
        expectCarried(posted, registry, "contentURI", bytes);
        postId = BigInt(posted.logs[0].topics[1]);
        expectCarried(
          await send(tipJar.contract, others[0], "tipETH", [1n, message], tip),
          tipJar.contract,
          "message",
          message,
        );
        expectCarried(
          await send(tipJar.contract, others[1], "tipPostETH", [postId, message], tip),
          tipJar.contract,
          "message",
          message,
        );
        if (i % 5 === 0) {
          const receipt = await send(
            tipJar.contract,
            others[2],
            "tipETHBatch",
            [
              [
                [1n, 0n, tip],
                [1n, postId, tip],
              ],
              message,
            ],
            2n * tip,
          );
          expectCarried(receipt, tipJar.contract, "message", message);
        }
        if (bytes.length <= 128 * 1024) {
          const receipt = await send(governor.contract, deployer, "propose", [
            [target],
            [0n],
            [calldata],
            bytes,
          ]);
          expectCarried(receipt, governor.contract, "description", bytes);
          proposalIds.push(BigInt(loggedStringsId(receipt)));
        }
        // List names are 1 to 64 bytes: the contract refuses longer ones.
        const name = bytes.subarray(0, 64);
        expectCarried(
          await send(suite.moderation.contract, deployer, "createList", [1n, name]),
          suite.moderation.contract,
          "name",
          name,
        );
        expectCarried(
          await send(suite.moderation.contract, deployer, "renameList", [1n, name]),
          suite.moderation.contract,
          "name",
          name,
        );
        if (i % 7 === 0 && !/^[a-z0-9_]{3,25}$/.test(bytes.toString("latin1"))) {
          // Handles are the registry's own rules: hostile bytes never reach the chain as one.
          let refused = false;
          try {
            await send(registry, deployer, "changeHandle", [1n, bytes]);
          } catch (error) {
            refused = /ProfileHandleInvalid|reverted/.test(String(error));
          }
          expect(refused, "a hostile handle is refused").to.equal(true);
        }
      }
      await time.increase(DAO_DEFAULTS.votingDelay + 1);
      for (const [i, proposalId] of proposalIds.entries()) {
        const reason = strings[i];
        const receipt =
          i % 2 === 0
            ? await send(governor.contract, deployer, "castVoteWithReason", [
                proposalId,
                i % 3,
                reason,
              ])
            : await send(governor.contract, deployer, "castVoteWithReasonAndParams", [
                proposalId,
                i % 3,
                reason,
                "0x01",
              ]);
        expectCarried(receipt, governor.contract, "reason", reason);
      }

      const head = await hre.ethers.provider.getBlockNumber();
      const deadline = Date.now() + 300_000;
      while ((await checkpoint(live.url)) < head) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`the indexer did not reach block ${head}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(failure).to.equal(undefined);
      await indexer.stop();
      await running;
      expect(failure, "the indexer never stopped on its own").to.equal(undefined);
      expect(proposalIds.length).to.be.greaterThan(50);
    });

    function loggedStringsId(receipt: TransactionReceipt): bigint {
      const [log] = receipt.logs.filter(
        (entry) => entry.address.toLowerCase() === suite.governor.address.toLowerCase(),
      );
      const parsed = suite.governor.contract.interface.parseLog(log)!;
      return parsed.args.proposalId as bigint;
    }

    it("stores every string of every event losslessly, with a valid display text", async function () {
      const addresses = Object.fromEntries(
        Object.entries(contracts).map(([name, contract]) => [
          contract.target.toString().toLowerCase(),
          name,
        ]),
      );
      const logs = (await hre.network.provider.request({
        method: "eth_getLogs",
        params: [
          {
            fromBlock: "0x" + suite.profileRegistry.blockNumber.toString(16),
            toBlock: "latest",
            address: Object.keys(addresses),
          },
        ],
      })) as RpcLog[];
      const client = new pg.Client({ connectionString: live.url });
      await client.connect();
      const seen = new Set<string>();
      let checked = 0;
      try {
        for (const log of logs) {
          const name = addresses[log.address.toLowerCase()];
          const contract = contracts[name];
          const event = contract.interface.getEvent(log.topics[0]);
          const field = STRING_FIELDS.find((f) => f.contract === name && f.event === event?.name);
          if (!field) continue;
          const onChain = loggedStrings(contract, log);
          const columns = Object.values(field.args)
            .map((column) => `${column}, ${column}_bytes`)
            .join(", ");
          const { rows } = await client.query(
            `SELECT ${columns} FROM ${field.table} WHERE block_number = $1 AND log_index = $2`,
            [Number(log.blockNumber), Number(log.logIndex)],
          );
          expect(rows, `${field.event} at ${Number(log.blockNumber)}`).to.have.length(1);
          for (const [arg, column] of Object.entries(field.args)) {
            const where = `${field.event}.${arg} at block ${Number(log.blockNumber)}`;
            const bytes = onChain[arg];
            if (Array.isArray(bytes)) {
              const texts = rows[0][column] as string[];
              const kept = rows[0][`${column}_bytes`] as (Buffer | null)[] | null;
              bytes.forEach((element, i) =>
                checkStored(texts[i], kept?.[i] ?? null, element, where),
              );
            } else {
              checkStored(rows[0][column], rows[0][`${column}_bytes`], bytes, where);
              if (!Buffer.from(rows[0][column]).equals(bytes)) seen.add(`${field.event}.${arg}`);
            }
            checked++;
          }
        }
        // Hostile bytes reached every field the contracts let them into.
        expect([...seen].sort()).to.deep.equal([
          "MetadataURIChanged.metadataURI",
          "ModerationListCreated.name",
          "ModerationListRenamed.name",
          "Posted.contentURI",
          "PostedWithRefs.contentURI",
          "ProfileRegistered.metadataURI",
          "ProposalCreated.description",
          "Tipped.message",
          "VoteCast.reason",
          "VoteCastWithParams.reason",
        ]);
        expect(checked).to.be.greaterThan(strings.length * 6);

        // Current state follows the latest event: a profile's metadata, its handle, a coin's.
        const latest = new Map<string, Buffer>();
        for (const log of logs) {
          const contract = contracts[addresses[log.address.toLowerCase()]];
          const event = contract.interface.getEvent(log.topics[0])?.name;
          if (event === "ProfileRegistered" || event === "MetadataURIChanged") {
            latest.set(
              BigInt(log.topics[1]).toString(),
              loggedStrings(contract, log).metadataURI as Buffer,
            );
          }
        }
        const { rows: profiles } = await client.query(
          "SELECT id, handle, handle_bytes, metadata_uri, metadata_uri_bytes FROM profiles",
        );
        expect(profiles).to.have.length(latest.size);
        for (const row of profiles) {
          checkStored(
            row.metadata_uri,
            row.metadata_uri_bytes,
            latest.get(row.id)!,
            `profile ${row.id}`,
          );
        }
        expect(profiles.find((row) => row.id === "1")!.handle).to.equal("fz_renamed");
        const { rows: coins } = await client.query("SELECT handle, handle_bytes FROM coins");
        expect(coins).to.deep.equal([{ handle: "fz_owner", handle_bytes: null }]);
      } finally {
        await client.end();
      }
    });

    it("gives the same tables from a fresh index in small ranges", async function () {
      fresh = await createTestDatabase("idx_strings_fresh");
      databases.push(fresh);
      const indexer = await indexToHead(
        testConfig(
          testEnv({
            rpcUrl: rpc.url,
            databaseUrl: fresh.url,
            deploymentFile,
            extra: { INITIAL_BLOCK_RANGE: "3", MAX_BLOCK_RANGE: "3" },
          }),
        ),
      );
      await indexer.stop();
      expect(await checksumTables(fresh.url)).to.deep.equal(await checksumTables(live.url));
    });

    describe("the API", function () {
      let pool: pg.Pool;
      let api: Api;

      before(async function () {
        pool = createReadPool({ url: live.url, statementTimeoutMs: 10_000, logger });
        api = await createApi({ pool, databaseUrl: live.url, logger, fallbackPollMs: 0 });
      });

      after(async function () {
        await api?.close();
        await pool?.end();
      });

      async function gql(target: Api, query: string): Promise<Json> {
        const response = await target.yoga.fetch("http://api/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ query }),
        });
        return response.json();
      }

      /** The bytes on chain of each string row, keyed like the API's rows. */
      async function stored(sql: string): Promise<Map<string, Buffer>> {
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ k: string; raw: Buffer }>(sql);
          return new Map(rows.map((row) => [row.k, row.raw]));
        } finally {
          await client.end();
        }
      }

      it("serves the display text and the exact bytes of every string", async function () {
        const reply = await gql(
          api,
          `{
            tips(first: 1000) { nodes { blockNumber logIndex message messageBytes } }
            posts(first: 1000) { nodes { id contentUri contentUriBytes } }
            profiles(first: 100) {
              nodes {
                id handle handleBytes metadataUri metadataUriBytes
                handleHistory { nodes { oldHandle oldHandleBytes newHandle newHandleBytes } }
                coin { handle handleBytes }
              }
            }
            proposals(first: 200) {
              nodes { id description descriptionBytes signatures signaturesBytes }
            }
            votes(first: 200) { nodes { blockNumber logIndex reason reasonBytes } }
          }`,
        );
        expect(reply.errors).to.equal(undefined);
        const check = (text: string, hex: string, raw: Buffer | undefined, where: string) => {
          expect(raw, where).to.not.equal(undefined);
          expect(hex, where).to.equal(hexlify(raw!));
          expect(text, where).to.equal(referenceDisplay(raw!));
        };
        const tips = await stored(
          "SELECT block_number || ':' || log_index AS k, coalesce(message_bytes, convert_to(message, 'UTF8')) AS raw FROM tips",
        );
        expect(reply.data.tips.nodes).to.have.length(tips.size);
        for (const node of reply.data.tips.nodes) {
          check(
            node.message,
            node.messageBytes,
            tips.get(`${node.blockNumber}:${node.logIndex}`),
            "tip",
          );
        }
        const posts = await stored(
          "SELECT id::text AS k, coalesce(content_uri_bytes, convert_to(content_uri, 'UTF8')) AS raw FROM posts",
        );
        expect(reply.data.posts.nodes).to.have.length(posts.size);
        for (const node of reply.data.posts.nodes) {
          check(node.contentUri, node.contentUriBytes, posts.get(node.id), `post ${node.id}`);
        }
        const huge = reply.data.posts.nodes.find((node: Json) => node.contentUriBytes.length > MiB);
        expect(huge.contentUriBytes).to.equal(hexlify(megabyte()));
        // Cut at the last whole character within the cap (U+FFFD takes 3 bytes).
        expect(Buffer.byteLength(huge.contentUri)).to.be.within(
          DISPLAY_TEXT_MAX_BYTES - 2,
          DISPLAY_TEXT_MAX_BYTES,
        );
        const metadata = await stored(
          "SELECT id::text AS k, coalesce(metadata_uri_bytes, convert_to(metadata_uri, 'UTF8')) AS raw FROM profiles",
        );
        for (const node of reply.data.profiles.nodes) {
          check(
            node.metadataUri,
            node.metadataUriBytes,
            metadata.get(node.id),
            `profile ${node.id}`,
          );
          expect(node.handleBytes).to.equal(hexlify(Buffer.from(node.handle)));
        }
        const owner = reply.data.profiles.nodes.find((node: Json) => node.id === "1");
        expect(owner.handleHistory.nodes).to.deep.equal([
          {
            oldHandle: "fz_owner",
            oldHandleBytes: hexlify(Buffer.from("fz_owner")),
            newHandle: "fz_renamed",
            newHandleBytes: hexlify(Buffer.from("fz_renamed")),
          },
        ]);
        expect(owner.coin).to.deep.equal({
          handle: "fz_owner",
          handleBytes: hexlify(Buffer.from("fz_owner")),
        });
        const descriptions = await stored(
          "SELECT id::text AS k, coalesce(description_bytes, convert_to(description, 'UTF8')) AS raw FROM proposals",
        );
        expect(reply.data.proposals.nodes).to.have.length(descriptions.size);
        for (const node of reply.data.proposals.nodes) {
          check(
            node.description,
            node.descriptionBytes,
            descriptions.get(node.id),
            `proposal ${node.id}`,
          );
          expect(node.signatures).to.deep.equal([""]);
          expect(node.signaturesBytes).to.deep.equal(["0x"]);
        }
        const reasons = await stored(
          "SELECT block_number || ':' || log_index AS k, coalesce(reason_bytes, convert_to(reason, 'UTF8')) AS raw FROM votes",
        );
        expect(reply.data.votes.nodes).to.have.length(reasons.size);
        for (const node of reply.data.votes.nodes) {
          check(
            node.reason,
            node.reasonBytes,
            reasons.get(`${node.blockNumber}:${node.logIndex}`),
            "vote",
          );
        }
      });

      it("delivers a hostile tip live to a subscription, text and bytes", async function () {
        const subscription = await subscribeSse(
          api,
          "subscription { tipCreated { message messageBytes } }",
          "tips",
        );
        try {
          const message = bytesOf("live\u0000", [0xed, 0xa0, 0x80, 0xff]);
          const tipJar = suite.tipJar.contract;
          const receipt = await send(tipJar, signers[3], "tipETH", [1n, message], 1n);
          expectCarried(receipt, tipJar, "message", message);
          const indexer = await indexToHead(
            testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: live.url, deploymentFile })),
          );
          await indexer.stop();
          const event = await subscription.first;
          expect(event.errors).to.equal(undefined);
          expect(event.data.tipCreated).to.deep.equal({
            message: "live\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD",
            messageBytes: hexlify(message),
          });
        } finally {
          await subscription.close();
        }
      });

      it("refuses by name to serve more exact bytes per request than its budget", async function () {
        const small = await createApi({
          pool,
          databaseUrl: live.url,
          logger,
          fallbackPollMs: 0,
          limits: { maxRawBytes: 512 * 1024 },
        });
        try {
          const withBytes = await gql(
            small,
            "{ posts(first: 1000) { nodes { id contentUriBytes } } }",
          );
          expect(withBytes.errors.map((error: Json) => error.extensions.code)).to.deep.equal([
            "TOO_MANY_ITEMS",
          ]);
          expect(withBytes.errors[0].message).to.match(/contentUriBytes: .* exceed 524288 bytes/);
          const textOnly = await gql(small, "{ posts(first: 1000) { nodes { id contentUri } } }");
          expect(textOnly.errors).to.equal(undefined);
          expect(textOnly.data.posts.nodes.length).to.be.greaterThan(strings.length);
        } finally {
          await small.close();
        }
      });
    });
  });
});
