// Holds silent TCP connections open against a server, from given source addresses;
// a connection the server closes is reopened after `reopenMs`. Run with fork(): it
// sends {ready} once every connection was attempted and {stats} when asked, so the
// attacker's socket work never runs on the event loop of the client that is measured.
import { connect } from "node:net";

const { host, port, count, addresses, reopenMs } = JSON.parse(process.env.IDLE_ATTACK);
const sockets = new Set();
let stopped = false;
let opened = 0;
let closedByServer = 0;

function open(localAddress) {
  return new Promise((resolve) => {
    const s = connect({ host, port, localAddress });
    sockets.add(s);
    s.on("connect", () => {
      opened++;
      resolve();
    });
    s.on("error", () => resolve());
    s.on("close", () => {
      sockets.delete(s);
      resolve();
      if (stopped) return;
      closedByServer++;
      setTimeout(() => !stopped && void open(localAddress), reopenMs);
    });
  });
}

for (let i = 0; i < count; i += 500) {
  await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => open(addresses[(i + j) % addresses.length])));
}
process.send({ ready: true, opened, openNow: sockets.size, closedByServer });
process.on("message", (m) => {
  if (m === "stats") process.send({ opened, openNow: sockets.size, closedByServer });
  if (m === "stop") {
    stopped = true;
    for (const s of sockets) s.destroy();
    process.disconnect();
  }
});
