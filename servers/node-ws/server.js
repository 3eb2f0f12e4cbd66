// The node-ws and node-ws-N reference servers: the `ws` package's echo, as
// its README shows it, with compression off. One process by default;
// --workers N (or `cores`) runs N processes with Node's cluster module,
// which shares one listening socket among them.
//
//   node server.js [--host ADDR] [--port P] [--workers N|cores]
//     default 0.0.0.0:8000, 1 worker; `cores` is $WS_WORKERS when set, else
//     one worker per available CPU. SIGTERM/SIGINT: close every connection
//     with 1001 and exit 0.
'use strict';
const cluster = require('node:cluster');
const os = require('node:os');
const { WebSocketServer } = require('ws');

// The kit's message limit (contestants' --max-message default): a 16 MiB
// message is echoed, a larger one is closed with 1009.
const MAX_PAYLOAD = 16 * 1024 * 1024;
// Asking for the most lets net.core.somaxconn decide, as for contestants.
const BACKLOG = 65535;
// After the 1001 closes, how long the peers get to answer before we exit.
const CLOSE_GRACE_MS = 1000;

function usage(why) {
  console.error(`node-ws: ${why}\nusage: node server.js [--host ADDR] [--port P] [--workers N|cores]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { host: '0.0.0.0', port: 8000, workers: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) usage(`${argv[i]} needs a value`);
    if (argv[i] === '--host') {
      o.host = value;
    } else if (argv[i] === '--port') {
      o.port = Number(value);
      if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) usage(`bad port '${value}'`);
    } else if (argv[i] === '--workers') {
      o.workers = value === 'cores' ? coresDefault() : Number(value);
      if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 1024) usage(`bad --workers '${value}'`);
    } else {
      usage(`unknown option '${argv[i]}'`);
    }
  }
  return o;
}

// What a -N server runs when not told: $WS_WORKERS (the kit's way to start
// many workers, e.g. for C1M), else one per CPU this process may use.
function coresDefault() {
  if (process.env.WS_WORKERS !== undefined) return Number(process.env.WS_WORKERS);
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

// One echo server in this process.
function serve(o, tag) {
  const counts = { connections: 0, errors: 0 };
  const wss = new WebSocketServer({
    host: o.host, port: o.port, backlog: BACKLOG,
    perMessageDeflate: false, maxPayload: MAX_PAYLOAD,
  });
  wss.on('listening', () => console.error(`${tag}: listening on ${o.host}:${o.port}`));
  wss.on('error', (err) => {
    console.error(`${tag}: cannot listen on ${o.host}:${o.port}: ${err.message}`);
    process.exit(1);
  });
  wss.on('connection', (ws) => {
    counts.connections++;
    // ws closes the connection itself (1002, 1007, 1009) after a protocol error.
    ws.on('error', () => { counts.errors++; });
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error(`${tag}: stopping: ${counts.connections} connections, ${counts.errors} closed on an error`);
    wss.close();   // stops accepting; open connections stay
    for (const ws of wss.clients) ws.close(1001);
    if (wss.clients.size === 0) process.exit(0);
    setTimeout(() => process.exit(0), CLOSE_GRACE_MS);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// The cluster's primary: forks the workers and stops with them. A worker
// that dies stops the whole server (status 1): a crash is a result to see,
// not something to hide by forking a replacement.
function primary(o) {
  let stopping = false, failed = false;
  for (let i = 0; i < o.workers; i++) cluster.fork();
  console.error(`node-ws: primary ${process.pid}, ${o.workers} workers`);
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`node-ws: worker ${worker.process.pid} died (${signal || `status ${code}`}); stopping`);
      failed = true;
      stop();
    }
    if (Object.keys(cluster.workers).length === 0) process.exit(failed ? 1 : 0);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
    setTimeout(() => {
      console.error('node-ws: workers still running 4 s after SIGTERM; killing them');
      for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL');
      process.exit(1);
    }, 4000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.workers === 1) serve(opts, 'node-ws');
else if (cluster.isPrimary) primary(opts);
else serve(opts, `node-ws worker ${process.pid}`);
