// Saturation load with the npm `ws` client, the reference point for
// runtest --saturate: C connections each keep K binary messages of SIZE
// bytes in flight, sending the next as each echo arrives. Prints messages/s
// echoed over the measured window and this process's CPU share.
// usage: node ws_saturate.js HOST PORT CONNECTIONS K SECONDS SIZE
'use strict';
const WebSocket = require('ws');

const [host, port, conns, k, seconds, size] = process.argv.slice(2);
if (!size) {
  console.error('usage: node ws_saturate.js HOST PORT CONNECTIONS K SECONDS SIZE');
  process.exit(2);
}
const C = +conns, K = +k, S = +seconds, N = +size;
const payload = Buffer.alloc(N, 0x5a);
let open = 0, echoed = 0, failed = 0, counting = false, startEchoed = 0;
let t0, cpu0;

function start() {
  counting = true;
  startEchoed = echoed;
  t0 = process.hrtime.bigint();
  cpu0 = process.cpuUsage();
  setTimeout(finish, S * 1000);
}

function finish() {
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const n = echoed - startEchoed;
  console.log(JSON.stringify({
    tool: 'node-ws', connections: C, in_flight: K, size: N, seconds: +dt.toFixed(3),
    messages: n, messages_per_s: Math.round(n / dt), failed,
    cpu_share: +((cpu.user + cpu.system) / 1e6 / dt).toFixed(3),
  }));
  process.exit(0);
}

for (let i = 0; i < C; i++) {
  const ws = new WebSocket(`ws://${host}:${port}/`, { perMessageDeflate: false });
  ws.on('open', () => {
    for (let j = 0; j < K; j++) ws.send(payload);
    if (++open === C) start();
  });
  ws.on('message', () => {
    echoed++;
    ws.send(payload);
  });
  ws.on('error', () => { failed++; });
}
setTimeout(() => {
  if (!counting) {
    console.error(`only ${open} of ${C} connections opened`);
    process.exit(1);
  }
}, 10000);
