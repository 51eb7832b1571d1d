import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createContentResolver } from "../../indexer/content/worker";
import { decodeDataUri, fetchContent, isPublicAddress } from "../../indexer/content/fetch";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { IndexerConfig } from "../../indexer/config";
import type { ProfileRegistry } from "../../typechain-types";
import {
  createTestDatabase,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const MAX_BYTES = 16 * 1024;

/** A content server with every kind of good and hostile answer, counting its requests. */
async function serveContent(): Promise<{
  url: string;
  hits: Map<string, number>;
  documents: Map<string, string>;
  close(): Promise<void>;
}> {
  const hits = new Map<string, number>();
  const documents = new Map<string, string>();
  const json = (value: unknown) => JSON.stringify(value);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    const send = (type: string, body: string | Buffer, status = 200) => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    if (documents.has(path)) return send("application/json", documents.get(path)!);
    switch (path) {
      case "/profile/ok":
      case "/ipfs/bafyprofile/meta.json":
        return send(
          "application/json; charset=utf-8",
          json({ displayName: "Zoë Wanderer", bio: "Maps and rivers", avatar: "ipfs://bafyav" }),
        );
      case "/post/ok":
        return send(
          "application/json",
          json({
            text: "Rivers flowing through ancient valleys",
            media: [{ uri: "https://example.org/a.png", mimeType: "image/png", alt: "a map" }],
            mentions: ["1", 2],
            tags: ["maps", "rivers"],
            extra: { ignored: true },
          }),
        );
      case "/post/plain":
        return send("text/plain; charset=utf-8", "\ufeffPlain words about mountains");
      case "/post/bom-json":
        return send("application/json", Buffer.from("\ufeff" + json({ text: "with a BOM" })));
      case "/post/huge-declared":
        response.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(MAX_BYTES * 100),
        });
        return response.end();
      case "/post/huge-streamed": {
        response.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < MAX_BYTES * 4) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once("drain", pump);
          }
          response.end();
        };
        response.on("error", () => undefined);
        return pump();
      }
      case "/post/silent":
        return; // never answers
      case "/post/drip": {
        response.writeHead(200, { "content-type": "application/json" });
        const timer = setInterval(() => response.write(" "), 100);
        response.on("close", () => clearInterval(timer));
        return;
      }
      case "/post/malformed":
        return send("application/json", '{"text": "unterminated');
      case "/post/invalid-utf8":
        return send(
          "application/json",
          Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        );
      case "/post/nul":
        return send("application/json", '{"text": "ad\\u0000min"}');
      case "/post/surrogate":
        return send("application/json", '{"text": "broken \\ud800 pair"}');
      case "/post/wrong-type":
        return send("application/json", json({ text: 42 }));
      case "/post/not-object":
        return send("application/json", json(["a", "list"]));
      case "/post/deep":
        return send("application/json", "[".repeat(8_000) + "]".repeat(8_000));
      case "/post/html":
        return send("text/html", "<html><body>hi</body></html>");
      case "/post/gone":
        return send("text/plain", "not here", 404);
      case "/post/down":
        return send("text/plain", "down", 503);
      case "/post/flaky":
        return n === 1
          ? send("text/plain", "busy", 503)
          : send("application/json", json({ text: "second time lucky" }));
      case "/post/redirect":
        response.writeHead(302, { location: "/post/ok" });
        return response.end();
      case "/post/loop":
        response.writeHead(302, { location: "/post/loop" });
        return response.end();
      default:
        return send("text/plain", "no such document", 404);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    documents,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("Content resolution", function () {
  this.timeout(120_000);
  let rpc: RpcServer;
  let content: Awaited<ReturnType<typeof serveContent>>;
  let db: TestDatabase;
  let indexer: Indexer;
  let config: IndexerConfig;
  let pool: pg.Pool;
  let api: Api;
  let registry: ProfileRegistry;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;
  /** Post id by the path or URI it names. */
  const postIds = new Map<string, string>();
  let nextSequence = 1n;

  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();

  async function post(uri: string): Promise<string> {
    await send(registry.connect(signers[1]).post(1, uri));
    const id = ((1n << 64n) | nextSequence++).toString();
    postIds.set(uri, id);
    return id;
  }

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const reply = (await response.json()) as { data?: Json; errors?: unknown[] };
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  async function contentOf(uri: string): Promise<Json> {
    const result = await data(
      `query($id: BigInt!) { post(id: $id) { content {
        status error contentType size attempts resolvedAt nextAttemptAt
        text media { uri mimeType alt } mentions tags } } }`,
      { id: postIds.get(uri) },
    );
    return result.post.content;
  }

  /** Resolves every row that is due until none is (retries come due within a few ms here). */
  async function resolveAll(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      await indexer.content.step();
      const { rows } = await pool.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM content_resolutions WHERE next_attempt_at IS NOT NULL",
      );
      if (rows[0].n === "0") return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("content still due after 200 rounds");
  }

  const env = (extra: Record<string, string> = {}) =>
    testEnv({
      rpcUrl: rpc.url,
      databaseUrl: db.url,
      deploymentFile,
      extra: {
        CONTENT_ALLOW_PRIVATE_ADDRESSES: "true",
        CONTENT_ALLOW_HTTP: "true",
        IPFS_GATEWAYS: `http://127.0.0.1:1,${content.url}`,
        CONTENT_TIMEOUT_MS: "1500",
        CONTENT_MAX_BYTES: String(MAX_BYTES),
        CONTENT_MAX_ATTEMPTS: "3",
        BACKOFF_BASE_MS: "5",
        BACKOFF_MAX_MS: "20",
        CONTENT_REFRESH_MIN_INTERVAL_MS: "0",
        ...extra,
      },
    });
  let deploymentFile: string;

  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const URIS = {
    profileHttp: () => `${content.url}/profile/ok`,
    profileIpfs: "ipfs://bafyprofile/meta.json",
    profileData: `data:application/json;base64,${b64(JSON.stringify({ displayName: "Data Person", bio: "inline" }))}`,
    profileBad: `data:application/json,${encodeURIComponent(JSON.stringify({ displayName: { a: 1 } }))}`,
  };

  before(async function () {
    signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    content = await serveContent();
    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("content");
    deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    const profiles: [number, string, string][] = [
      [1, "zoe_w", URIS.profileHttp()],
      [2, "ipfs_person", URIS.profileIpfs],
      [3, "data_person", URIS.profileData],
      [4, "bad_person", URIS.profileBad],
      [5, "empty_person", ""],
    ];
    for (const [signer, handle, uri] of profiles) {
      await send(registry.connect(signers[signer]).register(handle, uri));
    }
    config = testConfig(env());
    indexer = await createIndexer({ config, logger });
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    // Resolved documents change without a new checkpoint, so the response cache may hold an answer
    // for up to its TTL (docs/metadata.md); these tests read every change at once.
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      fallbackPollMs: 0,
      limits: { cacheTtlMs: 0 },
    });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
    await content?.close();
  });

  describe("profiles", function () {
    before(async function () {
      await indexer.sync.syncToHead();
    });

    it("are pending until the resolver runs, and the handler queued each URI once", async function () {
      const result = await data(`{ profile(id: 1) { metadata { status attempts displayName } } }`);
      expect(result.profile.metadata).to.deep.equal({
        status: "pending",
        attempts: 0,
        displayName: null,
      });
      const { rows } = await pool.query("SELECT kind, uri FROM content_resolutions ORDER BY uri");
      expect(rows.map((row) => row.kind)).to.deep.equal([
        "profile",
        "profile",
        "profile",
        "profile",
      ]);
    });

    it("read from https (here http on 127.0.0.1), ipfs gateways and data: URIs", async function () {
      await resolveAll();
      const result = await data(
        `{ profiles(orderBy: id) { nodes { id metadata { status error displayName bio avatar contentType } } } }`,
      );
      const byId = Object.fromEntries(
        result.profiles.nodes.map((node: Json) => [node.id, node.metadata]),
      );
      expect(byId["1"]).to.deep.equal({
        status: "ok",
        error: null,
        displayName: "Zoë Wanderer",
        bio: "Maps and rivers",
        avatar: "ipfs://bafyav",
        contentType: "application/json",
      });
      // The first gateway refuses connections; the second answers.
      expect(byId["2"]).to.include({ status: "ok", displayName: "Zoë Wanderer" });
      expect(byId["3"]).to.include({ status: "ok", displayName: "Data Person", bio: "inline" });
      expect(byId["4"].status).to.equal("invalid");
      expect(byId["4"].error).to.match(/displayName must be a string/);
      expect(byId["4"].displayName).to.equal(null);
      expect(byId["5"]).to.include({ status: "unsupported", error: "the URI is empty" });
    });
  });

  describe("posts with hostile content", function () {
    const cases: [string, string, RegExp | null][] = [
      ["/post/ok", "ok", null],
      ["/post/plain", "ok", null],
      ["/post/bom-json", "ok", null],
      ["/post/redirect", "ok", null],
      ["/post/flaky", "ok", null],
      ["/post/huge-declared", "too_large", /Content-Length/],
      ["/post/huge-streamed", "too_large", /more than/],
      ["/post/silent", "timeout", /in time/],
      ["/post/drip", "timeout", /in time/],
      ["/post/malformed", "invalid", /not JSON/],
      ["/post/invalid-utf8", "invalid", /not valid UTF-8/],
      ["/post/nul", "invalid", /NUL/],
      ["/post/surrogate", "invalid", /surrogate/],
      ["/post/wrong-type", "invalid", /text must be a string/],
      ["/post/not-object", "invalid", /must be a JSON object/],
      ["/post/deep", "invalid", /./],
      ["/post/html", "unsupported", /text\/html/],
      ["/post/gone", "http_error", /HTTP 404/],
      ["/post/down", "http_error", /HTTP 503/],
      ["/post/loop", "http_error", /redirects/],
    ];
    const inline: [string, string, RegExp | null][] = [
      [`data:text/plain,${encodeURIComponent("percent-encoded words")}`, "ok", null],
      ["data:application/json,%7B%22text%22%3A%22%FF%22%7D", "invalid", /UTF-8/],
      ["data:application/json;base64,!!!not-base64!!!", "unsupported", /not base64/],
      [`data:application/json;base64,${b64("x".repeat(MAX_BYTES + 1))}`, "too_large", /more than/],
      [`data:text/plain,${"y".repeat(70 * 1024)}`, "unsupported", /longer than 64 KiB/],
      ["data:image/png;base64,iVBORw0KGgo=", "unsupported", /image\/png/],
      ["data:no-comma", "unsupported", /comma/],
      ["ftp://example.org/post.json", "unsupported", /ftp: scheme/],
      ["javascript:alert(1)", "unsupported", /javascript: scheme/],
      ["ipfs://../../etc/passwd", "unsupported", /CID/],
      ["just words", "unsupported", /no scheme/],
      ["http://user:secret@127.0.0.1/post/ok", "unsupported", /credentials/],
    ];

    before(async function () {
      for (const [path] of cases) await post(`${content.url}${path}`);
      for (const [uri] of inline) await post(uri);
      await indexer.sync.syncToHead();
      await resolveAll();
    });

    for (const [path, status, error] of cases) {
      it(`${path}: ${status}`, async function () {
        const result = await contentOf(`${content.url}${path}`);
        expect(result.status, JSON.stringify(result)).to.equal(status);
        expect(result.nextAttemptAt).to.equal(null);
        if (error) expect(result.error).to.match(error);
        else expect(result.error).to.equal(null);
        if (status !== "ok") {
          expect(result).to.include({ text: null });
          expect(result.media).to.deep.equal([]);
        }
      });
    }

    for (const [uri, status, error] of inline) {
      it(`${uri.slice(0, 50)}: ${status}`, async function () {
        const result = await contentOf(uri);
        expect(result.status, JSON.stringify(result)).to.equal(status);
        if (error) expect(result.error).to.match(error);
      });
    }

    it("fills every field of a valid document and ignores unknown ones", async function () {
      expect(await contentOf(`${content.url}/post/ok`)).to.deep.include({
        text: "Rivers flowing through ancient valleys",
        media: [{ uri: "https://example.org/a.png", mimeType: "image/png", alt: "a map" }],
        mentions: ["1", "2"],
        tags: ["maps", "rivers"],
        attempts: 1,
      });
      expect((await contentOf(`${content.url}/post/plain`)).text).to.equal(
        "Plain words about mountains",
      );
    });

    it("retries what waiting may cure, with backoff, and gives up after CONTENT_MAX_ATTEMPTS", async function () {
      expect(content.hits.get("/post/flaky")).to.equal(2);
      expect((await contentOf(`${content.url}/post/flaky`)).attempts).to.equal(2);
      expect(content.hits.get("/post/down")).to.equal(3);
      expect((await contentOf(`${content.url}/post/down`)).attempts).to.equal(3);
      expect(content.hits.get("/post/silent")).to.equal(3);
      // Final answers are not retried.
      expect(content.hits.get("/post/gone")).to.equal(1);
      expect(content.hits.get("/post/malformed")).to.equal(1);
      expect(content.hits.get("/post/huge-declared")).to.equal(1);
    });

    it("a URI whose bytes are not UTF-8 is never fetched and reads as unsupported", async function () {
      const bytes = Buffer.concat([Buffer.from(`${content.url}/post/ok`), Buffer.from([0xff])]);
      // A string argument is encoded as bytes are: these bytes reach the event as they are.
      const selector = registry.interface.getFunction("post")!.selector;
      const encoded = hre.ethers.AbiCoder.defaultAbiCoder().encode(
        ["uint256", "bytes"],
        [1, bytes],
      );
      await send(
        signers[1].sendTransaction({
          to: await registry.getAddress(),
          data: selector + encoded.slice(2),
        }),
      );
      const id = ((1n << 64n) | nextSequence++).toString();
      await indexer.sync.syncToHead();
      await resolveAll();
      const result = await data(
        `query($id: BigInt!) { post(id: $id) { content { status error } } }`,
        {
          id,
        },
      );
      expect(result.post.content.status).to.equal("unsupported");
      expect(result.post.content.error).to.match(/not valid UTF-8/);
      expect(content.hits.get("/post/ok")).to.equal(2); // the plain one and the redirect's target
    });
  });

  describe("addresses (SSRF)", function () {
    it("refuses loopback, private, link-local and mapped addresses unless allowed", async function () {
      for (const address of [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
        "0.0.0.0",
      ]) {
        expect(isPublicAddress(address), address).to.equal(false);
      }
      for (const address of ["93.184.216.34", "2606:4700::1111", "8.8.8.8"]) {
        expect(isPublicAddress(address), address).to.equal(true);
      }
      const options = {
        timeoutMs: 2_000,
        maxBytes: MAX_BYTES,
        ipfsGateways: [content.url],
        allowPrivateAddresses: false,
        allowHttp: true,
      };
      for (const uri of [
        `${content.url}/post/ok`,
        `http://localhost:${new URL(content.url).port}/post/ok`,
        `http://[::1]:${new URL(content.url).port}/post/ok`,
        "ipfs://bafyprofile/meta.json",
      ]) {
        const fetched = await fetchContent(uri, options);
        expect(fetched.status, uri).to.equal("blocked");
      }
      expect(
        (await fetchContent(`${content.url}/post/ok`, { ...options, allowHttp: false })).status,
      ).to.equal("unsupported");
    });

    it("decodes data: URIs without any network", function () {
      const decoded = decodeDataUri("data:;base64,aGk=", 10);
      expect(decoded).to.include({ status: "ok", contentType: "text/plain" });
      expect(decoded.status === "ok" && decoded.body.toString()).to.equal("hi");
      expect(decodeDataUri("data:,%zz%41", 10)).to.deep.include({ status: "ok" });
    });
  });

  describe("the worker beside the sync", function () {
    it("never holds up the sync: posts are indexed while fetches hang", async function () {
      await post(`${content.url}/post/silent?again`);
      const slowConfig = testConfig(
        env({ CONTENT_TIMEOUT_MS: "60000", CONTENT_MAX_ATTEMPTS: "1" }),
      );
      const runner = await createIndexer({ config: slowConfig, logger });
      const running = runner.run();
      try {
        // Wait until the hanging fetch is in flight, then post and see it indexed.
        for (let i = 0; i < 500 && (content.hits.get("/post/silent") ?? 0) < 4; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(content.hits.get("/post/silent")).to.equal(4);
        const id = await post(`${content.url}/post/ok#later`);
        for (let i = 0; i < 500; i++) {
          const { rows } = await pool.query("SELECT 1 FROM posts WHERE id = $1", [id]);
          if (rows.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const { rows } = await pool.query("SELECT 1 FROM posts WHERE id = $1", [id]);
        expect(rows).to.have.length(1);
        const pending = await contentOf(`${content.url}/post/silent?again`);
        expect(pending.status).to.equal("pending");
      } finally {
        await runner.stop();
        await running;
        // The other indexer wrote past this one's checkpoint: start this one afresh.
        await indexer.stop();
        indexer = await createIndexer({ config, logger });
      }
    });

    it("two resolvers share the work: each URI is fetched once", async function () {
      const before = content.hits.get("/post/ok") ?? 0;
      // The hanging fetch of the test before was abandoned under its lease: set it aside.
      await indexer.db.pool.query("UPDATE content_resolutions SET next_attempt_at = NULL");
      for (let i = 0; i < 12; i++)
        content.documents.set(`/shared/${i}`, JSON.stringify({ text: `shared ${i}` }));
      for (let i = 0; i < 12; i++) await post(`${content.url}/shared/${i}`);
      await indexer.sync.syncToHead();
      const resolvers = [1, 2, 3].map(() =>
        createContentResolver({
          pool: indexer.db.pool,
          logger,
          options: {
            fetch: {
              timeoutMs: 2_000,
              maxBytes: MAX_BYTES,
              ipfsGateways: [],
              allowPrivateAddresses: true,
              allowHttp: true,
            },
            concurrency: 5,
            pollIntervalMs: 10,
            maxAttempts: 1,
            backoff: { baseMs: 5, maxMs: 10 },
          },
        }),
      );
      await Promise.all(resolvers.map((resolver) => resolver.step()));
      await Promise.all(resolvers.map((resolver) => resolver.step()));
      for (let i = 0; i < 12; i++) {
        expect(content.hits.get(`/shared/${i}`), `/shared/${i}`).to.equal(1);
        expect((await contentOf(`${content.url}/shared/${i}`)).text).to.equal(`shared ${i}`);
      }
      expect(content.hits.get("/post/ok")).to.equal(before);
    });

    it("fetches a URI again on request (POST /content/refresh) and keeps the new document", async function () {
      const uri = `${content.url}/shared/0`;
      content.documents.set("/shared/0", JSON.stringify({ text: "edited" }));
      const runner = await createIndexer({
        config: { ...config, httpPort: 0 },
        logger,
        serve: true,
      });
      try {
        const refresh = (body: string) =>
          fetch(`http://127.0.0.1:${runner.server!.port}/content/refresh`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
        const accepted = await refresh(JSON.stringify({ uri }));
        expect(accepted.status).to.equal(202);
        expect(await accepted.json()).to.deep.equal({
          refreshing: [{ kind: "post", status: "ok" }],
        });
        expect(
          (await refresh(JSON.stringify({ uri: "https://unknown.example/x" }))).status,
        ).to.equal(404);
        expect((await refresh("not json")).status).to.equal(400);
        expect((await refresh(JSON.stringify({ uri: "x".repeat(80 * 1024) }))).status).to.equal(
          413,
        );
        await resolveAll();
        expect((await contentOf(uri)).text).to.equal("edited");
        expect(content.hits.get("/shared/0")).to.equal(2);
      } finally {
        await runner.stop();
      }
    });
  });
});
