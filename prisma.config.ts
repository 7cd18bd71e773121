import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, isPostgresUrl } from "./db/url";

// JS schema engine + driver adapter: Prisma's CLI then needs no binary download
// (docs/decisions/002-prisma-offline-two-providers.md).
const url = databaseUrl(process.env);
const pg = isPostgresUrl(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: pg ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  // PRISMA_MIGRATIONS_DIR: tests apply a prefix of the migrations to check upgrades.
  migrations: { path: process.env.PRISMA_MIGRATIONS_DIR ?? (pg ? "prisma/postgres/migrations" : "prisma/migrations") },
  async adapter() {
    return pg ? new PrismaPg({ connectionString: url }) : new PrismaLibSQL({ url });
  },
});
