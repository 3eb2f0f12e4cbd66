#!/usr/bin/env node
// Interop check with Node.js `ws` (pinned in package.json): every message
// (whole or in fragments) must come back byte-for-byte with its type, a ping must be answered with a
// pong carrying the same data, and a close with 1000 must be answered with
// 1000.
//
// usage: node interop.js HOST PORT
// Prints one line per case ("ok ..." / "FAIL ...") and exits 1 on any failure.
'use strict';
const WebSocket = require('ws');

const SIZES = [0, 20, 125, 64 * 1024, 1024 * 1024];
const TIMEOUT_MS = 10000;

// A string whose UTF-8 encoding is exactly n bytes, mixing 1- to 4-byte
// code points (same construction as interop.py).
function textOf(n) {
  const pieces = ['a', '\u00e9', '\u20ac', '\u{1f600}'];
  let out = '', size = 0;
  for (let i = 0; size < n; i++) {
    let p = pieces[i % 4];
    if (size + Buffer.byteLength(p) > n) p = 'z';
    out += p;
    size += Buffer.byteLength(p);
  }
  return out;
}

function binaryOf(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + n) & 0xff;
  return b;
}

const [host, port] = process.argv.slice(2);
if (!host || !port) {
  console.error('usage: node interop.js HOST PORT');
  process.exit(2);
}

let failures = 0;
function report(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
}

// Wraps the next event of a kind in a promise with a deadline.
function next(ws, event, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.removeListener(event, on);
      reject(new Error('timeout waiting for ' + what));
    }, TIMEOUT_MS);
    function on(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    ws.once(event, on);
  });
}

async function run() {
  const ws = new WebSocket(`ws://${host}:${port}/`, {
    perMessageDeflate: false, maxPayload: 4 * 1024 * 1024,
    handshakeTimeout: TIMEOUT_MS,
  });
  // A failure anywhere below surfaces as a rejected wait, not a crash.
  const closed = next(ws, 'close', 'close').catch((e) => e);
  ws.on('error', (e) => console.log('error event: ' + e.message));
  await next(ws, 'open', 'open');

  for (const kind of ['text', 'binary']) {
    for (const n of SIZES) {
      const msg = kind === 'text' ? textOf(n) : binaryOf(n);
      const name = `${kind} ${n} B`;
      const got = next(ws, 'message', name);
      ws.send(msg, { binary: kind === 'binary' });
      let data, isBinary;
      try {
        [data, isBinary] = await got;
      } catch (e) {
        report(false, `${name}: ${e.message}`);
        return;
      }
      const want = kind === 'text' ? Buffer.from(msg, 'utf8') : msg;
      if (isBinary !== (kind === 'binary'))
        report(false, `${name}: came back as ${isBinary ? 'binary' : 'text'}`);
      else if (!Buffer.from(data).equals(want))
        report(false, `${name}: echo differs (got ${data.length} bytes)`);
      else
        report(true, name);
    }
  }

  // A text message in three fragments, split inside a 4-byte character:
  // it must come back as one message with the same bytes.
  {
    const whole = Buffer.from(textOf(4000), 'utf8');
    const cut1 = whole.indexOf(Buffer.from('\u{1f600}')) + 2;
    const name = 'text in 3 fragments, split inside a character';
    const got = next(ws, 'message', name);
    ws.send(whole.subarray(0, cut1), { binary: false, fin: false });
    ws.send(whole.subarray(cut1, 3001), { binary: false, fin: false });
    ws.send(whole.subarray(3001), { binary: false, fin: true });
    try {
      const [data, isBinary] = await got;
      report(!isBinary && Buffer.from(data).equals(whole),
             `${name}: ${data.length} bytes, ${isBinary ? 'binary' : 'text'}`);
    } catch (e) {
      report(false, `${name}: ${e.message}`);
      return;
    }
  }

  for (const payload of [Buffer.alloc(0), Buffer.from('ping-data-0123456789')]) {
    const name = `ping ${payload.length} B`;
    const pong = next(ws, 'pong', name);
    ws.ping(payload);
    try {
      const [data] = await pong;
      report(Buffer.from(data).equals(payload),
             `${name}: pong carries ${data.length} B`);
    } catch (e) {
      report(false, `${name}: ${e.message}`);
    }
  }

  ws.close(1000, 'bye');
  const result = await closed;
  if (result instanceof Error) {
    report(false, `close: ${result.message}`);
    ws.terminate();
    return;
  }
  // The close event's code is the one in the server's close frame.
  report(result[0] === 1000, `close 1000 answered with ${result[0]}`);
}

run().then(() => {
  console.log(`${failures} failed`);
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.log(`FAIL connect: ${e.message}`);
  process.exit(1);
});
