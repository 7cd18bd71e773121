// `npm run db:migrate`: applies migrations to DATABASE_URL (SQLite default or PostgreSQL).
import { mkdirSync } from "node:fs";
import { databaseUrl } from "../db/url";
import { migrate } from "./lib/migrate";

mkdirSync(".data", { recursive: true });
await migrate(databaseUrl(process.env));
