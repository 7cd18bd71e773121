/**
 * The group commit as a procedure of the SQLite thread (db/sqlite-thread-worker.ts): the
 * writer's `writeGroup` on the thread's own connection, so its dozen statements run
 * back to back instead of each waiting for the server's thread. Built on its own
 * (`npm run build`: build/server/write-group-procedure.js), loaded by the thread.
 */
import type { ProcedureConnection } from "../db/sqlite-thread-worker";
import { sqliteTx } from "../db/sqlite-tx";
import type { EventRow } from "./normalize";
import { writeGroup } from "./write-group";

export const procedures = {
  /** The new rows' `shopId\0eventId`s (a Set does not cross threads as cheaply as an array). */
  async writeGroup(connection: ProcedureConnection, rows: EventRow[]): Promise<string[]> {
    return [...(await writeGroup(sqliteTx(connection.execute), "sqlite", rows))];
  },
};
