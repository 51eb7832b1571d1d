import { expect } from "chai";
import fs from "node:fs";
import pg from "pg";
import pino from "pino";
import { createApi, type Api } from "../../indexer/graphql/api";
import { migrate } from "../../indexer/db/migrate";
import { printApiSchema, SCHEMA_FILE } from "../../scripts/export-schema";
import { createTestDatabase, type TestDatabase } from "./helpers";

const logger = pino({ level: "silent" });

describe("GraphQL API: what analysts get", function () {
  describe("schema.graphql", function () {
    it("is the schema the API serves (run npm run build:schema when this fails)", function () {
      const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
      expect(committed === printApiSchema(), "schema.graphql is stale: run npm run build:schema").to
        .be.true;
      expect(committed).to.include("type Proposal {");
      expect(committed).to.include("proposalChanged(");
    });
  });

  describe("GraphiQL", function () {
    let db: TestDatabase;
    let pool: pg.Pool;
    let api: Api;

    before(async function () {
      db = await createTestDatabase("graphiql");
      pool = new pg.Pool({ connectionString: db.url });
      await migrate(pool, logger);
      api = await createApi({ pool, databaseUrl: db.url, logger, fallbackPollMs: 0 });
    });

    after(async function () {
      await api?.close();
      await pool?.end();
      await db?.drop();
    });

    it("is served from the package: the page references no other host", async function () {
      const response = await api.yoga.fetch("http://api/graphql", {
        headers: { accept: "text/html" },
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.match(/^text\/html/);
      const page = await response.text();
      expect(page).to.include("renderYogaGraphiQL");
      expect(page).to.include("<title>Agora API</title>");
      // Nothing the browser would fetch: no script, style sheet, icon or worker from a URL.
      const references = [...page.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map(
        (match) => match[1],
      );
      const external = references.filter((ref) => /^(?:https?:)?\/\//i.test(ref));
      expect(external, "external references").to.deep.equal([]);
      expect(page).to.not.match(/unpkg\.com|jsdelivr|cdnjs|raw\.githubusercontent/);
      expect(page).to.not.match(/@import\s+(?:url\()?["']?(?:https?:)?\/\//i);
      expect(page).to.match(/rel="icon" href="data:image\//);
    });
  });
});
