/**
 * The client's address for per-address limits. X-Forwarded-For is written by whoever
 * sends the request, so it is believed only when the peer is a configured trusted
 * proxy (TRUSTED_PROXIES), and then only up to the first hop that is not one.
 */
import { BlockList, isIP } from "node:net";

export interface TrustedProxies {
  /** Entries configured (0: X-Forwarded-For is ignored). */
  readonly size: number;
  has(ip: string): boolean;
}

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) → "10.0.0.1"; anything else unchanged. */
export function normalizeIp(ip: string): string {
  const trimmed = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed;
}

/** Parses a comma list of IPv4/IPv6 addresses and CIDR ranges ("10.0.0.0/8, ::1"). */
export function parseTrustedProxies(list: string): { ok: true; proxies: TrustedProxies } | { ok: false; error: string } {
  const blocks = new BlockList();
  let size = 0;
  for (const raw of list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, prefix, ...rest] = raw.split("/");
    const ip = normalizeIp(addr);
    const family = isIP(ip);
    if (!family || rest.length > 0) return { ok: false, error: `"${raw}" is not an IP address or CIDR range` };
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) blocks.addAddress(ip, type);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return { ok: false, error: `"${raw}" has an invalid prefix length` };
      blocks.addSubnet(ip, bits, type);
    }
    size++;
  }
  const proxies: TrustedProxies = {
    size,
    has(candidate: string) {
      const ip = normalizeIp(candidate);
      const family = isIP(ip);
      return family !== 0 && blocks.check(ip, family === 4 ? "ipv4" : "ipv6");
    },
  };
  return { ok: true, proxies };
}

/**
 * The address to rate-limit: the peer itself, unless it is a trusted proxy; then the
 * X-Forwarded-For hops are walked from the right (the nearest proxy's entry) and the
 * first one that is not a trusted proxy is the client. A malformed hop stops the walk
 * at the last trusted address (only a trusted proxy's own entries are believed).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let address = peer ? normalizeIp(peer) : "unknown";
  if (trusted.size === 0 || !trusted.has(address) || !forwardedFor) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map(normalizeIp).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) return address;
    address = hops[i];
    if (!trusted.has(address)) return address;
  }
  return address;
}
