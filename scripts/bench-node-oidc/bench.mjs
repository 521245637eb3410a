// Headless-login benchmark of node-oidc-provider, the counterpart of the broker's `bench_login`.
//
//   npm ci && node bench.mjs --out node.md
//
// Starts provider.mjs as a child process (NODE_ENV=production, its own process, so its CPU is
// its own), logs each driver client in once (the one-time interaction that stands in for the
// broker's --auto-approve, see provider.mjs), then drives the login of bench_login:
// authorize -> redirect with code -> token -> userinfo, with a fresh PKCE verifier (S256), state
// and nonce per login. Phases: a warm-up (300 logins, 1 client), one third of the rest with
// 1 client, the remainder with 8 concurrent clients. Prints a markdown table; a failed login is
// reported and makes the run exit non-zero.

import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_ID = 'demo-mailbox';
const CLIENT_SECRET = 'demo-mailbox-secret';
const REDIRECT_URI = 'http://localhost:8081/callback';
const BASIC = `Basic ${Buffer.from(
  `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`,
).toString('base64')}`;
// As bench_login: the driver reads the provider's CPU this long after a phase's last login.
const AFTER_PHASE_MS = 1300;
const KEEP_ERRORS = 5;
const LOAD_BEFORE = os.loadavg();

const { values: args } = parseArgs({
  options: {
    logins: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '300' },
    clients: { type: 'string', default: '8' },
    out: { type: 'string' },
    'oidc-provider': { type: 'string', default: '8' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`usage: node bench.mjs [--logins N] [--warmup N] [--clients N] [--oidc-provider 8|9] [--out FILE]

  --logins N          logins in the whole run (default 10000): the warm-up, then one third of the
                      rest with 1 client, the remainder with --clients concurrent clients
  --warmup N          logins in the warm-up, part of --logins, not measured (default 300)
  --clients N         concurrent clients in the concurrent phase (default 8)
  --oidc-provider V   8 (oidc-provider 8.x, default) or 9 (oidc-provider 9.x, made for Node 22+)
  --out FILE          also write the markdown report to FILE`);
  process.exit(0);
}
const LOGINS = Number(args.logins);
const WARMUP = Number(args.warmup);
const CLIENTS = Number(args.clients);
if (!(Number.isInteger(LOGINS) && Number.isInteger(WARMUP) && Number.isInteger(CLIENTS))
  || CLIENTS < 1 || WARMUP < 0 || LOGINS < WARMUP + 2) {
  console.error('--logins, --warmup and --clients must be integers, --clients >= 1, --logins >= --warmup + 2');
  process.exit(2);
}

// ---------------------------------------------------------------- /proc

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime (fields 14 and 15 of /proc/PID/stat), in seconds. */
function processCpu(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: field 3 first.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / CLK_TCK;
}

/** Busy CPU of the whole machine (all cores) in seconds: /proc/stat's cpu line less idle and iowait. */
function machineBusy() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
  const c = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  return (c.reduce((a, b) => a + b, 0) - c[3] - c[4]) / CLK_TCK;
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

function cpuSample(pid) {
  return { provider: processCpu(pid), driver: processCpu('self'), machine: machineBusy() };
}

// ---------------------------------------------------------------- the provider process

async function startProvider() {
  const env = { ...process.env, NODE_ENV: 'production' };
  delete env.DEBUG; // node-oidc-provider logs through `debug`: keep it off
  const child = spawn(
    process.execPath,
    [path.join(HERE, 'provider.mjs'), '--oidc-provider', args['oidc-provider']],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the provider did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the provider exited (${code}) before listening`)));
    lines.on('line', (line) => {
      const m = /^oidc-provider listening on (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      } else {
        process.stderr.write(`provider: ${line}\n`);
      }
    });
  });
  return { child, issuer };
}

async function stopProvider(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- HTTP: keep-alive, no redirects

let BASE; // { hostname, port }
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method, pathAndQuery, headers = {}, body = undefined) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: BASE.hostname, port: BASE.port, path: pathAndQuery, method, headers, agent,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
        }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${pathAndQuery}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A tiny cookie jar: name -> { value, path }; enough for the provider's own cookies. */
class Jar {
  #cookies = new Map();

  store(setCookie) {
    for (const line of setCookie ?? []) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let cookiePath = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [k, v = ''] = attribute.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'path') cookiePath = v.trim();
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path: cookiePath });
    }
  }

  header(requestPath) {
    const p = requestPath.split('?')[0];
    const out = [];
    for (const [name, c] of this.#cookies) {
      if (p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) {
        out.push(`${name}=${c.value}`);
      }
    }
    return out.join('; ');
  }

  names() {
    return [...this.#cookies.keys()];
  }
}

// ---------------------------------------------------------------- the login

const b64sha256 = (s) => crypto.createHash('sha256').update(s).digest('base64url');
const SEED = crypto.randomBytes(6).toString('hex');

function snippet(body) {
  return body.toString('utf8').slice(0, 200);
}

function authorizeUrl(n) {
  // 43 characters of the base64url alphabet: a valid PKCE verifier.
  const verifier = b64sha256(`${SEED}-verifier-${n}`);
  const state = `s${n}`;
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile',
    state,
    nonce: `n${n}-${SEED}`,
    code_challenge: b64sha256(verifier),
    code_challenge_method: 'S256',
  });
  return { url: `/authorize?${query}`, verifier, state };
}

/** Checks a redirect to the redirect URI and returns its code. */
function codeFrom(location, state, issuer) {
  const callback = new URL(location, issuer);
  const q = callback.searchParams;
  if (`${callback.origin}${callback.pathname}` !== REDIRECT_URI) {
    const why = callback.pathname.startsWith('/interaction/') ? ' (an interaction: the session is gone)' : '';
    throw new Error(`authorize: redirected to ${location}, not to the redirect URI${why}`);
  }
  if (q.has('error')) throw new Error(`authorize: error ${q.get('error')} in ${location}`);
  const code = q.get('code');
  if (!code) throw new Error(`authorize: no code in ${location}`);
  if (q.get('state') !== state) throw new Error(`authorize: state ${q.get('state')} instead of ${state}`);
  if (q.get('iss') !== issuer) throw new Error(`authorize: iss ${q.get('iss')} instead of ${issuer}`);
  return code;
}

/** token -> ID token and access token; userinfo -> sub and name. */
async function redeem(code, verifier) {
  const form = new URLSearchParams({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
  }).toString();
  let r = await request('POST', '/token', {
    authorization: BASIC,
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(form),
  }, form);
  if (r.status !== 200) throw new Error(`token: expected 200, got ${r.status}: ${snippet(r.body)}`);
  const json = JSON.parse(r.body);
  if (typeof json.access_token !== 'string' || !json.access_token) throw new Error('token: no access_token');
  if (typeof json.id_token !== 'string') throw new Error('token: no id_token');
  if (json.id_token.split('.').length !== 3) throw new Error('token: the id_token is not a compact JWS');
  if (String(json.token_type).toLowerCase() !== 'bearer') throw new Error(`token: token_type is ${json.token_type}`);

  r = await request('GET', '/userinfo', { authorization: `Bearer ${json.access_token}` });
  if (r.status !== 200) throw new Error(`userinfo: expected 200, got ${r.status}: ${snippet(r.body)}`);
  const info = JSON.parse(r.body);
  if (typeof info.sub !== 'string' || !info.sub) throw new Error('userinfo: no sub');
  if (typeof info.name !== 'string' || !info.name) throw new Error('userinfo: no name');
  return json.id_token;
}

/**
 * The one-time login of a driver client: authorize without a session -> the provider's
 * interaction URL -> provider.mjs's interaction route finishes it (login + consent grant) ->
 * resume -> redirect with a code. Leaves the session cookies in `jar`.
 */
async function establishSession(jar, issuer, n) {
  const { url, verifier, state } = authorizeUrl(n);
  let next = url;
  const seen = [];
  for (let hop = 0; hop < 6; hop += 1) {
    const r = await request('GET', next, { cookie: jar.header(next) });
    jar.store(r.headers['set-cookie']);
    seen.push(`${r.status} ${next.split('?')[0]}`);
    const location = r.headers.location;
    if (![302, 303].includes(r.status) || !location) {
      throw new Error(`session: ${seen.join(' -> ')} without a redirect: ${snippet(r.body)}`);
    }
    const target = new URL(location, issuer);
    if (`${target.origin}${target.pathname}` === REDIRECT_URI) {
      await redeem(codeFrom(target.href, state, issuer), verifier);
      if (!jar.names().includes('_session')) throw new Error('session: no _session cookie');
      return seen.length;
    }
    if (target.origin !== new URL(issuer).origin) throw new Error(`session: redirected to ${location}`);
    next = `${target.pathname}${target.search}`;
  }
  throw new Error(`session: too many redirects: ${seen.join(' -> ')}`);
}

/** One benchmarked login with the session in `jar`; returns its latency in ms. */
async function login(jar, issuer, n) {
  const { url, verifier, state } = authorizeUrl(n);
  const start = performance.now();
  const r = await request('GET', url, { cookie: jar.header(url) });
  jar.store(r.headers['set-cookie']);
  if (r.status !== 302 && r.status !== 303) {
    throw new Error(`authorize: expected a 302/303 redirect, got ${r.status}: ${snippet(r.body)}`);
  }
  if (!r.headers.location) throw new Error(`authorize: ${r.status} without Location`);
  const code = codeFrom(r.headers.location, state, issuer);
  await redeem(code, verifier);
  return performance.now() - start;
}

// ---------------------------------------------------------------- phases

/** Nearest-rank percentile of sorted samples, as bench_login. */
function percentile(sorted, p) {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

let numbering = 0;
let sessionHops = 0;

/**
 * Fresh sessions for `clients` driver clients, one one-time login each (not measured). Made at
 * the start of every phase: node-oidc-provider's default in-memory adapter is an LRU of about
 * 1,000 to 2,000 entries, so a session left idle through a phase of a few thousand logins is
 * evicted (and its next authorize is sent to the login interaction).
 */
async function freshSessions(issuer, clients) {
  const jars = Array.from({ length: clients }, () => new Jar());
  let hops = 0;
  for (const jar of jars) {
    numbering += 1;
    hops = await establishSession(jar, issuer, numbering);
  }
  return { jars, hops };
}

async function loginPhase(name, providerPid, issuer, clients, count) {
  const { jars, hops } = await freshSessions(issuer, clients);
  sessionHops = hops;
  process.stderr.write(`${name}: ${count} logins with ${clients} client(s) ...\n`);
  let issued = 0;
  const latencies = [];
  const errors = [];
  let failed = 0;
  const before = cpuSample(providerPid);
  const start = performance.now();
  await Promise.all(jars.map(async (jar) => {
    while (issued < count) {
      issued += 1;
      numbering += 1;
      try {
        latencies.push(await login(jar, issuer, numbering));
      } catch (err) {
        failed += 1;
        if (errors.length < KEEP_ERRORS) errors.push(err.message);
      }
    }
  }));
  const wall = (performance.now() - start) / 1000;
  await new Promise((resolve) => { setTimeout(resolve, AFTER_PHASE_MS); });
  const after = cpuSample(providerPid);
  latencies.sort((a, b) => a - b);
  const all = latencies.length + failed;
  const window = wall + AFTER_PHASE_MS / 1000;
  const provider = after.provider - before.provider;
  const driver = after.driver - before.driver;
  return {
    name,
    clients,
    ok: latencies.length,
    failed,
    errors,
    wall,
    perSecond: latencies.length / wall,
    median: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    providerMs: (provider * 1000) / Math.max(all, 1),
    driverMs: (driver * 1000) / Math.max(all, 1),
    providerCores: provider / wall,
    otherCores: Math.max(0, after.machine - before.machine - provider - driver) / window,
  };
}

// ---------------------------------------------------------------- report

function versionOf(pkg) {
  const file = path.join(HERE, 'node_modules', pkg, 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

const f = (x, d) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function report({
  issuer, version, rssStart, rssEnd, warm, single, multi,
}) {
  const cpu = os.cpus();
  const failed = warm.failed + single.failed + multi.failed;
  const lines = [
    `# node-oidc-provider: headless logins (bench-node-oidc)`,
    '',
    `- oidc-provider ${version}, Node ${process.version}, \`NODE_ENV=production\`, issuer ${issuer} (http, in-memory adapter)`,
    `- ${new Date().toISOString()}; ${os.cpus().length} cores (${cpu[0]?.model ?? '?'}), CLK_TCK ${CLK_TCK}, load average at the start ${LOAD_BEFORE.map((l) => l.toFixed(2)).join(' ')}`,
    `- ${LOGINS} logins: a warm-up of ${warm.ok + warm.failed} (1 client), ${single.ok + single.failed} with 1 client, ${multi.ok + multi.failed} with ${multi.clients} concurrent clients`,
    `- the provider is ONE Node process: its JavaScript runs on one thread, but its RS256 signatures run on libuv's thread pool (jose calls node's asynchronous crypto.sign) and V8's GC has helper threads, so it can use somewhat more than one of the ${os.cpus().length} cores (see "Provider CPU used"); its in-memory adapter lives in that process, so it cannot be spread over a cluster of processes`,
    `- at the start of each phase, each of its driver clients logged in once (${sessionHops} requests through the login interaction, not measured); every measured login is authorize with that session's cookie -> redirect to the redirect URI with code -> token -> userinfo`,
    `- the default in-memory adapter, an LRU of about 1,000 to 2,000 entries: a session left idle for a few thousand logins is dropped, hence a fresh session per phase`,
    '',
    `| Metric | 1 client | ${multi.clients} clients |`,
    '|---|---:|---:|',
    `| Logins/s | ${f(single.perSecond, 0)} | ${f(multi.perSecond, 0)} |`,
    `| Login latency median / p99 (ms) | ${f(single.median, 2)} / ${f(single.p99, 2)} | ${f(multi.median, 2)} / ${f(multi.p99, 2)} |`,
    `| Provider CPU per login (ms) | ${f(single.providerMs, 3)} | ${f(multi.providerMs, 3)} |`,
    `| Provider CPU used (cores, during the phase) | ${f(single.providerCores, 2)} | ${f(multi.providerCores, 2)} |`,
    `| Driver CPU per login (ms) | ${f(single.driverMs, 3)} | ${f(multi.driverMs, 3)} |`,
    `| Other processes' CPU (cores) | ${f(single.otherCores, 2)} | ${f(multi.otherCores, 2)} |`,
    `| Failed logins | ${single.failed} of ${single.ok + single.failed} | ${multi.failed} of ${multi.ok + multi.failed} |`,
    '',
    `Warm-up: ${f(warm.perSecond, 0)} logins/s, median ${f(warm.median, 2)} ms, provider CPU ${f(warm.providerMs, 3)} ms per login, ${warm.failed} failed.`,
    `Provider RSS: ${f(rssStart, 1)} MiB after start, ${f(rssEnd, 1)} MiB after ${LOGINS} logins.`,
    `Failed logins in all: ${failed} of ${LOGINS}.`,
  ];
  for (const phase of [warm, single, multi]) {
    for (const e of phase.errors) lines.push(`- ${phase.name} failure: ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- main

const version = versionOf(args['oidc-provider'] === '9' ? 'oidc-provider-9' : 'oidc-provider');
const { child, issuer } = await startProvider();
let exitCode = 0;
try {
  const u = new URL(issuer);
  BASE = { hostname: u.hostname, port: Number(u.port) };
  const rssStart = rssMiB(child.pid);

  const rest = LOGINS - WARMUP;
  const singleCount = Math.floor(rest / 3);
  const warm = await loginPhase('warm-up', child.pid, issuer, 1, WARMUP);
  const single = await loginPhase('1 client', child.pid, issuer, 1, singleCount);
  const multi = await loginPhase(`${CLIENTS} clients`, child.pid, issuer, CLIENTS, rest - singleCount);
  const rssEnd = rssMiB(child.pid);

  const text = report({
    issuer, version, rssStart, rssEnd, warm, single, multi,
  });
  process.stdout.write(text);
  if (args.out) {
    fs.writeFileSync(args.out, text);
    process.stderr.write(`report written to ${args.out}\n`);
  }
  const failed = warm.failed + single.failed + multi.failed;
  if (failed) {
    process.stderr.write(`${failed} login(s) failed\n`);
    exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  exitCode = 1;
} finally {
  agent.destroy();
  await stopProvider(child);
}
process.exit(exitCode);
