import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The JavaScript schema engine works offline (the native one is a download). It talks to
// Postgres through the pg driver adapter; only `migrate deploy`/`db` commands connect.
export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    }),
});
