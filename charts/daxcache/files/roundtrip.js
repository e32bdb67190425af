// helm test: round-trips a key over both protocols on every target and exits non-zero on any
// mismatch. Runs as `node -e` in the daxcache image (no other tools there), node's net module only.
// TARGETS: JSON list of {name, host, redis, memcached} (memcached: port, or 0 = skip the
// memcached side: a SET and GET over RESP then); DAXCACHE_PASSWORD: AUTH / ASCII auth password.
'use strict';
const net = require('net');
const targets = JSON.parse(process.env.TARGETS || '[]');
const password = process.env.DAXCACHE_PASSWORD || '';
const deadline = Date.now() + Number(process.env.TIMEOUT_MS || 60000);

function connect(host, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', reject);
  });
}

// Sends `out` and resolves with the reply once `done(reply)` is true.
function ask(s, out, done) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => finish(new Error('no reply to ' + JSON.stringify(out.slice(0, 40)))), 10000);
    function finish(err) {
      clearTimeout(timer);
      s.off('data', onData); s.off('error', finish); s.off('close', onClose);
      err ? reject(err) : resolve(buf);
    }
    function onData(d) { buf += d.toString('utf8'); if (done(buf)) finish(); }
    function onClose() { finish(new Error('connection closed, got ' + JSON.stringify(buf))); }
    s.on('data', onData); s.on('error', finish); s.on('close', onClose);
    s.write(out);
  });
}

const resp = (...args) => '*' + args.length + '\r\n' + args.map((a) => '$' + Buffer.byteLength(a) + '\r\n' + a + '\r\n').join('');
const line = (r) => r.endsWith('\r\n');
// A complete RESP bulk string reply ($-1, or $n + n bytes), or any other complete line (an error).
function bulk(b) {
  const eol = b.indexOf('\r\n');
  if (eol < 0) return false;
  if (b[0] !== '$' || b.startsWith('$-1')) return true;
  return Buffer.byteLength(b) >= eol + 2 + Number(b.slice(1, eol)) + 2;
}
function expect(what, got, want) {
  if (got !== want) throw new Error(what + ': expected ' + JSON.stringify(want) + ', got ' + JSON.stringify(got));
}

async function roundTrip(t) {
  const key = 'helm-test:' + t.name + ':' + process.pid + ':' + Date.now();
  const value = 'daxcache ' + Math.random().toString(36).slice(2);
  const r = await connect(t.host, t.redis);
  try {
    if (password) expect('AUTH', await ask(r, resp('AUTH', password), line), '+OK\r\n');
    expect('SET', await ask(r, resp('SET', key, value, 'EX', '300'), line), '+OK\r\n');
    if (!t.memcached) {
      expect('GET', await ask(r, resp('GET', key), bulk), '$' + Buffer.byteLength(value) + '\r\n' + value + '\r\n');
      expect('DEL', await ask(r, resp('DEL', key), line), ':1\r\n');
      return;
    }
    const m = await connect(t.host, t.memcached);
    try {
      if (password) {
        const token = 'default ' + password;
        expect('memcached auth', await ask(m, 'set auth 0 0 ' + Buffer.byteLength(token) + '\r\n' + token + '\r\n', line), 'STORED\r\n');
      }
      const got = await ask(m, 'get ' + key + '\r\n', (b) => b.endsWith('END\r\n') || /ERROR/.test(b));
      expect('memcached get', got, 'VALUE ' + key + ' 0 ' + Buffer.byteLength(value) + '\r\n' + value + '\r\nEND\r\n');
      expect('memcached delete', await ask(m, 'delete ' + key + '\r\n', line), 'DELETED\r\n');
    } finally { m.destroy(); }
    expect('GET after delete', await ask(r, resp('GET', key), bulk), '$-1\r\n');
  } finally { r.destroy(); }
}

(async () => {
  if (!targets.length) throw new Error('TARGETS is empty');
  for (const t of targets) {
    for (let attempt = 1; ; attempt++) {
      try {
        await roundTrip(t);
        console.log('ok ' + t.name + ' (' + t.host + ': RESP SET, ' + (t.memcached ? 'memcached get/delete' : 'RESP GET/DEL') + ')');
        break;
      } catch (e) {
        // Connection errors may be transient right after an install; a wrong reply is not.
        if (!/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|no reply/.test(e.message) || Date.now() > deadline) throw e;
        console.log('retrying ' + t.name + ' (attempt ' + attempt + '): ' + e.message);
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
  }
  console.log('round trip passed on ' + targets.length + ' target(s)');
})().catch((e) => { console.error('FAILED: ' + e.message); process.exit(1); });
