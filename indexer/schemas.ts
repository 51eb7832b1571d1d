import pg from "pg";
import {
  DEFAULT_LIVE_SCHEMA,
  SchemaError,
  dropSchema,
  liveSource,
  publishSchema,
} from "./db/schemas";

const USAGE = `usage (DATABASE_URL names the database; LIVE_SCHEMA the API's schema, default ${DEFAULT_LIVE_SCHEMA}):
  npm run schema -- status                 the index schema the API's views read
  npm run schema -- publish <schema>       point the views at <schema>, atomically
  npm run schema -- publish <schema> --allow-behind
  npm run schema -- drop <schema>          drop an index schema nothing serves`;

/** Zero-downtime re-index: publish a fresh index schema to the API, then drop the old one. */
async function main(): Promise<number> {
  const [command, schema, flag] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url || !command || (command !== "status" && !schema)) {
    console.error(USAGE);
    return 2;
  }
  const live = process.env.LIVE_SCHEMA || DEFAULT_LIVE_SCHEMA;
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: "agora-schema" });
  try {
    if (command === "status") {
      console.log(JSON.stringify({ live, source: await liveSource(pool, live) }));
    } else if (command === "publish") {
      const result = await publishSchema(pool, {
        source: schema,
        live,
        allowBehind: flag === "--allow-behind",
      });
      console.log(JSON.stringify({ live, source: schema, ...result }));
    } else if (command === "drop") {
      await dropSchema(pool, { schema, live });
      console.log(JSON.stringify({ dropped: schema }));
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } catch (error) {
    if (error instanceof SchemaError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
