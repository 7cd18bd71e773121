/**
 * Connection admission for the HTTP server: sockets that are idle or slow (no request
 * being answered) must never keep other clients out.
 * - Per address: at most `perAddress` open connections (trusted proxies exempt: their
 *   clients are many). At the cap, that address's connection idle for longest is closed
 *   to admit the new one; when all of them are busy answering requests, the new one is.
 * - In total: at most `maxConnections`, with the same rule over all connections.
 * An idle connection is one with no request in progress: never sent one (silent, or
 * headers still trickling in) or waiting between keep-alive requests.
 * Node's own maxConnections would instead refuse newcomers while idle sockets hold every slot.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { normalizeIp } from "./ingest/client-address";

export interface ConnectionGuardOptions {
  maxConnections: number;
  perAddress: number;
  /** Addresses without a per-address cap (trusted proxies). */
  exempt(address: string): boolean;
}

export interface ConnectionStats {
  open: number;
  idle: number;
  refused: number;
  evictedIdle: number;
}

interface Tracked {
  address: string;
  /** All connections of the address. */
  open: number;
  /** Idle connections of the address, longest idle first. */
  idle: Set<Socket>;
}

export function guardConnections(server: Server, opts: ConnectionGuardOptions): () => ConnectionStats {
  const byAddress = new Map<string, Tracked>();
  const of = new Map<Socket, Tracked>();
  // Insertion order is idle order: the first entry has been idle longest.
  const idle = new Set<Socket>();
  const stats = { refused: 0, evictedIdle: 0 };

  // Idempotent: called when we close a socket (so its slot is free at once) and on 'close'.
  const release = (socket: Socket) => {
    const t = of.get(socket);
    if (!t) return;
    of.delete(socket);
    idle.delete(socket);
    t.idle.delete(socket);
    if (--t.open === 0) byAddress.delete(t.address);
  };
  const evict = (socket: Socket) => {
    stats.evictedIdle++;
    release(socket);
    socket.destroy();
  };
  const setIdle = (socket: Socket, t: Tracked) => {
    // Re-inserted: now the most recently idle.
    idle.delete(socket);
    t.idle.delete(socket);
    idle.add(socket);
    t.idle.add(socket);
  };

  server.on("connection", (socket: Socket) => {
    const address = normalizeIp(socket.remoteAddress ?? "unknown");
    const existing = byAddress.get(address);
    if (existing && existing.open >= opts.perAddress && !opts.exempt(address)) {
      const oldest = existing.idle.values().next().value;
      if (!oldest) {
        stats.refused++;
        socket.destroy();
        return;
      }
      evict(oldest);
    }
    if (of.size >= opts.maxConnections) {
      const oldest = idle.values().next().value;
      if (!oldest) {
        stats.refused++;
        socket.destroy();
        return;
      }
      evict(oldest);
    }
    let t = byAddress.get(address);
    if (!t) byAddress.set(address, (t = { address, open: 0, idle: new Set() }));
    t.open++;
    of.set(socket, t);
    setIdle(socket, t);
    socket.once("close", () => release(socket));
  });

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const t = of.get(socket);
    if (!t) return;
    idle.delete(socket);
    t.idle.delete(socket);
    res.once("close", () => {
      if (of.get(socket) === t && !socket.destroyed) setIdle(socket, t);
    });
  });

  return () => ({ open: of.size, idle: idle.size, ...stats });
}

/** Descriptors kept free for everything but client connections (database, files, workers). */
const RESERVED_FDS = 256;

/** This process's open-file limit (Linux /proc), or null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.trim().split(/\s+/)[3];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

/**
 * The connection limit the process can honour: each connection is a file descriptor, and
 * if accept() ran out of them first, the guard's limit would never be reached and idle
 * connections would lock clients out again. (Node raises the soft limit to the hard one at start.)
 */
export function effectiveMaxConnections(configured: number, fdLimit = openFileLimit()): number {
  if (fdLimit === null) return configured;
  return Math.max(1, Math.min(configured, fdLimit - RESERVED_FDS));
}
