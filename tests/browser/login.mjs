// Logs in through the broker's login screens in headless Chromium, as a person would: the MitID
// app in a second tab, the code viewer, and cancelling. A tiny relying party of our own (an
// http server on 127.0.0.1) receives the callback and redeems the code. With MAILBOX, the
// citizen's main path in the demo mailbox too: login, inbox, read, reply, the reply in Sendt;
// then mailbox.mjs walks the rest of the mailbox's guide (delegation, folders, drafts,
// attachments, search, other mailboxes, English) and the fixed bugs of issue 20.
// Then dashboard.mjs drives the simulator's dashboard (/_sim/).
// Usage: node login.mjs ISSUER MAILBOX DASH_ISSUER DASH_TOKEN
// Needs Chromium at /usr/bin/chromium (playwright-core drives it; it downloads no browser).
// Screenshots of the last screen of each login go to target/browser-tests/.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mailboxSteps } from './mailbox.mjs';
import { dashboardSteps } from './dashboard.mjs';

// DASH_ISSUER: a second broker on a manual clock, locked with the control token DASH_TOKEN,
// for the dashboard's steps (dashboard.mjs).
const [issuer, mailbox, dashIssuer, dashToken] = process.argv.slice(2);
if (!issuer || !mailbox || !dashIssuer || !dashToken) {
  console.error('usage: node login.mjs ISSUER MAILBOX DASH_ISSUER DASH_TOKEN');
  process.exit(2);
}
// The demo mailbox started by scripts/browser-tests with this client ID and secret.
const MAILBOX_CLIENT_ID = 'browser-mailbox';
const MAILBOX_CLIENT_SECRET = 'browser-mailbox-secret-0123456789';
const CLIENT_ID = 'browser-rp';
const CLIENT_SECRET = 'browser-rp-secret-0123456789';
const SUBSTANTIAL = 'https://data.gov.dk/concept/core/nsis/Substantial';
const HIGH = 'https://data.gov.dk/concept/core/nsis/High';
// Control tokens, when the broker and the mailbox were started with them (security.md): the
// control APIs take them as bearer tokens, and each browser context unlocks the simulator's
// pages once.
const CONTROL = process.env.BROKER_CONTROL_TOKEN;
const MAILBOX_CONTROL = process.env.MAILBOX_CONTROL_TOKEN;
const jsonHeaders = (token) => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});
const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../target/browser-tests');
rmSync(shots, { recursive: true, force: true });
mkdirSync(shots, { recursive: true });

let failures = 0;
let passes = 0;
async function step(name, fn) {
  try {
    const value = await fn();
    passes++;
    console.log(`${name}: ok`);
    return value;
  } catch (e) {
    failures++;
    const text = String((e && e.stack) || e).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    console.log(`${name}: FAIL ${text[0]}`);
    for (const line of text.slice(1, 8)) console.log(`    ${line.trim()}`);
    return undefined;
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// The relying party's callback: answers 200 "done" and remembers each query by its state.
const callbacks = new Map();
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/callback') {
    callbacks.set(url.searchParams.get('state'), url.searchParams);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('done');
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;

// A single-page app (a public client, PKCE in the page, every call from the page's script), at
// http://localhost:PORT/spa, an origin of its own: the broker must answer it CORS. The same app
// at http://127.0.0.1:PORT/spa is an origin no client registered.
const SPA_CLIENT_ID = 'browser-spa';
const spaServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/spa') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(spaPage());
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => spaServer.listen(0, '127.0.0.1', resolve));
const spaUrl = `http://localhost:${spaServer.address().port}/spa`;
const spaElsewhere = `http://127.0.0.1:${spaServer.address().port}/spa`;

/** The app: on load it sends the person to log in; back with a code it redeems it, checks the
 * ID token's signature with the JWKS, reads userinfo, revokes the token and reads userinfo
 * again, and writes what it saw into #result. */
function spaPage() {
  return `<!doctype html><meta charset="utf-8"><title>SPA</title><pre id="result"></pre>
<script type="module">
const ISSUER = ${JSON.stringify(issuer)};
const CLIENT_ID = ${JSON.stringify(SPA_CLIENT_ID)};
const REDIRECT = location.origin + '/spa';
const result = document.getElementById('result');
const done = (data) => { result.textContent = JSON.stringify(data); result.dataset.done = '1'; };
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
const unb64url = (text) => Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
let stage = 'discovery';
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
try {
  const config = await (await fetch(ISSUER + '/.well-known/openid-configuration')).json();
  const params = new URLSearchParams(location.search);
  if (params.get('probe') === 'token') {
    // A page at an origin no client registered: discovery reads, the token endpoint does not.
    let tokenReadable;
    try {
      await fetch(config.token_endpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: 'x' }) });
      tokenReadable = true;
    } catch (e) { tokenReadable = false; }
    done({ discovery: config.issuer, tokenReadable });
  } else if (!params.has('code') && !params.has('error')) {
    const login = { verifier: random(32), state: random(16), nonce: random(16) };
    sessionStorage.setItem('login', JSON.stringify(login));
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(login.verifier)));
    const url = new URL(config.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'openid mitid',
      state: login.state, nonce: login.nonce, code_challenge: challenge, code_challenge_method: 'S256',
    });
    location.assign(url);
  } else {
    const login = JSON.parse(sessionStorage.getItem('login'));
    if (params.get('state') !== login.state) throw new Error('the state came back changed');
    stage = 'token';
    const tokenResponse = await fetch(config.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', client_id: CLIENT_ID, code: params.get('code'),
        redirect_uri: REDIRECT, code_verifier: login.verifier,
      }),
    });
    const tokens = await tokenResponse.json();
    const [h, p, s] = tokens.id_token.split('.');
    const header = JSON.parse(new TextDecoder().decode(unb64url(h)));
    const claims = JSON.parse(new TextDecoder().decode(unb64url(p)));
    stage = 'jwks';
    const jwks = await (await fetch(config.jwks_uri)).json();
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    const signatureValid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, unb64url(s),
      new TextEncoder().encode(h + '.' + p));
    const bearer = { headers: { authorization: 'Bearer ' + tokens.access_token } };
    stage = 'userinfo';
    const userinfo = await (await fetch(config.userinfo_endpoint, bearer)).json();
    stage = 'revocation';
    const revoked = await fetch(config.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: tokens.access_token }),
    });
    stage = 'userinfo after revocation';
    const after = await fetch(config.userinfo_endpoint, bearer);
    done({
      tokenStatus: tokenResponse.status, alg: header.alg, signatureValid, claims, nonce: login.nonce,
      userinfo, revokeStatus: revoked.status, afterStatus: after.status,
    });
  }
} catch (e) {
  done({ error: stage + ': ' + String(e) });
}
</script>`;
}

/** The issuers a relying party can log in at: the standard one and the real brokers' dialects
 * (docs/profiles.md), each with its paths and its way of asking for a Substantial MitID login. */
const PROFILES = {
  standard: { path: '', authorize: '/authorize', token: '/token', params: { scope: 'openid mitid' } },
  neb: {
    path: '/op', authorize: '/connect/authorize', token: '/connect/token',
    params: { scope: 'openid mitid ssn', idp_values: 'mitid', idp_params: JSON.stringify({ mitid: { loa_value: 'substantial' } }) },
  },
  idura: {
    path: '/idura', authorize: '/oauth2/authorize', token: '/oauth2/token',
    params: { scope: 'openid ssn', acr_values: 'urn:grn:authn:dk:mitid:substantial' },
  },
  signicat: {
    path: '/auth/open', authorize: '/connect/authorize', token: '/connect/token',
    params: { scope: 'openid profile nin idp-id', acr_values: 'idp:mitid loa:substantial' },
  },
};

/** A fresh authorization request at `profile`'s issuer: the URL to open and what the callback
 * must match. */
function authorization(profile = 'standard', overrides = {}) {
  const p = PROFILES[profile];
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const at = `${issuer}${p.path}`;
  const url = new URL(`${at}${p.authorize}`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...p.params,
    ...overrides,
  }).toString();
  return { url: url.toString(), state, nonce, verifier, issuer: at, token: `${at}${p.token}` };
}

/** Waits (polling by the page itself, no reloads) until `page` is on the callback; returns its query. */
async function landed(page, auth, timeout = 20_000) {
  await page.waitForURL((u) => u.toString().startsWith(redirectUri + '?'), { timeout });
  assert.equal(await page.textContent('body'), 'done');
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get('state'), auth.state, 'state on the callback');
  assert.ok(callbacks.has(auth.state), 'the relying party received the callback');
  assert.equal(query.get('iss'), auth.issuer, 'RFC 9207 iss on the callback');
  return query;
}

/** Redeems the code (client_secret_basic, PKCE) and returns the ID token's payload. */
async function redeem(query, auth) {
  const code = query.get('code');
  assert.ok(code, `a code on the callback (got ${query})`);
  const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  const res = await fetch(auth.token, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: auth.verifier,
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `token endpoint: ${JSON.stringify(body)}`);
  assert.ok(body.id_token, 'an ID token');
  const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString());
  assert.equal(claims.iss, auth.issuer);
  assert.equal(claims.aud === CLIENT_ID || (Array.isArray(claims.aud) && claims.aud.includes(CLIENT_ID)), true, 'aud');
  assert.equal(claims.nonce, auth.nonce, 'nonce');
  return claims;
}

/** The user-ID screen: type the user ID and continue. Returns the login's id from the URL. */
async function enterUserId(page, auth, userId) {
  await page.goto(auth.url);
  const match = /\/login\/([^/?#]+)/.exec(page.url());
  assert.ok(match, `the authorize request lands on a login screen, not ${page.url()}`);
  assert.ok(await page.locator('input[type=hidden][name=csrf]').first().inputValue(), 'a csrf field');
  await page.fill('input[name=user_id]#user_id', userId);
  await page.click('button[name=action][value=user_id]');
  await page.locator('button[name=action][value=user_id]').waitFor({ state: 'detached' });
  return decodeURIComponent(match[1]);
}

/** After the user ID: the authenticator's own screen (`ready`), or the choose screen first. */
async function chooseIfAsked(page, method, ready) {
  const choose = `button[name=method][value=${method}]`;
  await page.locator(`${ready}, ${choose}`).first().waitFor();
  if (await page.locator(choose).count()) {
    await page.click(choose);
    await page.locator(ready).first().waitFor();
  }
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** Runs one test in its own browser context (own cookies); a screenshot on failure. */
async function inContext(browser, name, fn) {
  const context = await browser.newContext({ locale: 'da-DK' });
  context.setDefaultTimeout(15_000);
  for (const [base, token] of [[issuer, CONTROL], [mailbox, MAILBOX_CONTROL]]) {
    if (token) {
      // As a person would: the unlock form, once per browser.
      const page = await context.newPage();
      await page.goto(`${base}/_sim/unlock?next=%2F_sim%2Foutbox`);
      await page.fill('#token', token);
      await page.click('button[type=submit]');
      await page.waitForURL((u) => u.pathname === '/_sim/outbox');
      await page.close();
    }
  }
  try {
    await fn(context);
  } catch (e) {
    for (const [i, page] of context.pages().entries()) {
      await screenshot(page, `${name}-failure-tab${i + 1}`).catch(() => {});
    }
    throw e;
  } finally {
    await context.close();
  }
}

const browser = await step('chromium starts', async () => {
  const b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  assert.match(b.version(), /^\d+\./);
  return b;
});

const registered = await step('control API registers the client', async () => {
  const res = await fetch(`${issuer}/_sim/v1/clients`, {
    method: 'POST',
    headers: jsonHeaders(CONTROL),
    body: JSON.stringify({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [],
    }),
  });
  assert.equal(res.status, 201, await res.text());
  return true;
});

const mailboxRegistered = await step('control API registers the demo mailbox', async () => {
  const res = await fetch(`${issuer}/_sim/v1/clients`, {
    method: 'POST',
    headers: jsonHeaders(CONTROL),
    body: JSON.stringify({
      client_id: MAILBOX_CLIENT_ID,
      client_secret: MAILBOX_CLIENT_SECRET,
      redirect_uris: [`${mailbox}/callback`],
      post_logout_redirect_uris: [`${mailbox}/logged-out`],
      backchannel_logout_uri: `${mailbox}/backchannel-logout`,
      require_pkce: true,
    }),
  });
  assert.equal(res.status, 201, await res.text());
  return true;
});

const spaRegistered = await step('control API registers the single-page app (a public client)', async () => {
  const res = await fetch(`${issuer}/_sim/v1/clients`, {
    method: 'POST',
    headers: jsonHeaders(CONTROL),
    body: JSON.stringify({
      client_id: SPA_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      redirect_uris: [spaUrl],
    }),
  });
  assert.equal(res.status, 201, await res.text());
  return true;
});

if (browser && registered) {
  await step('the authorize request opens the login screen', () =>
    inContext(browser, 'smoke', async (context) => {
      const page = await context.newPage();
      const auth = authorization();
      const response = await page.goto(auth.url);
      assert.equal(response.status(), 200);
      assert.match(page.url(), /\/login\/[^/]+$/);
      assert.ok(await page.locator('input[type=hidden][name=csrf]').first().inputValue(), 'a csrf field');
      assert.equal(await page.locator('button[name=action][value=cancel]').count() > 0, true, 'a cancel button');
    }));

  await step('a. app login across two tabs', () =>
    inContext(browser, 'app', async (context) => {
      const tab1 = await context.newPage();
      const auth = authorization();
      const txn = await enterUserId(tab1, auth, 'anna');
      await chooseIfAsked(tab1, 'app', '#app-code');
      const code = (await tab1.textContent('#app-code')).replace(/\s/g, '');
      assert.match(code, /^\d{4}$/, 'a 4-digit code in #app-code');
      await tab1.waitForFunction(
        () => {
          const img = document.querySelector('#app-qr');
          return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
        },
        null,
        { timeout: 10_000 },
      );
      await screenshot(tab1, 'app-tab1-code');

      const tab2 = await context.newPage();
      await tab2.goto(`${issuer}/_sim/app/anna`);
      let request = tab2.locator(`[data-login="${txn}"]`);
      if (!(await request.count())) request = tab2.locator('.app-request').first();
      await request.waitFor();
      assert.match(await request.textContent(), new RegExp(CLIENT_ID), "the request names the service");
      await request.locator('input[name=code]').fill(code);
      await screenshot(tab2, 'app-tab2-request');
      // Swipe as a finger would: press on the track's start and drag past its end.
      const swipe = request.locator('input[type=range].swipe');
      assert.equal(await swipe.inputValue(), (await swipe.getAttribute('min')) ?? '0', 'the swipe starts at its minimum');
      const answers = [];
      tab2.on('request', (r) => {
        if (r.method() === 'POST' && r.url().startsWith(`${issuer}/_sim/app/anna/`)) answers.push(r.url());
      });
      await swipe.scrollIntoViewIfNeeded();
      const box = await swipe.boundingBox();
      await tab2.mouse.move(box.x + 2, box.y + box.height / 2);
      await tab2.mouse.down();
      await tab2.mouse.move(box.x + box.width + 20, box.y + box.height / 2, { steps: 12 });
      await tab2.mouse.up();

      const query = await landed(tab1, auth); // tab 1 moves on by itself
      const claims = await redeem(query, auth);
      assert.deepEqual(claims.amr, ['code_app']);
      assert.equal(claims.acr, SUBSTANTIAL);

      // The app answered once, and says so.
      await tab2.locator('#said').waitFor();
      await tab2.waitForLoadState();
      assert.equal(answers.length, 1, `one swipe sends one answer, not ${answers.length} (${answers.join(', ')})`);
      const said = (await tab2.textContent('#said')).trim();
      // A Danish login, a Danish app page.
      assert.equal(await tab2.getAttribute('html', 'lang'), 'da', 'the app page speaks the login\'s language');
      assert.match(said, /Godkendt/, `the app says it approved, not "${said}"`);
    }));

  await step('b. code viewer login', () =>
    inContext(browser, 'codeviewer', async (context) => {
      const tab1 = await context.newPage();
      const auth = authorization();
      await enterUserId(tab1, auth, 'dorthe');
      await chooseIfAsked(tab1, 'code_viewer', 'input[name=code]');

      const tab2 = await context.newPage();
      await tab2.goto(`${issuer}/_sim/codeviewer/KV-100200300`);
      const read = async () => ({
        code: (await tab2.textContent('#code')).replace(/\s/g, ''),
        left: Number((await tab2.textContent('#seconds-left')).trim()),
      });
      let shown = await read();
      // Too close to the next code: the viewer reloads itself with it when the countdown ends.
      for (let i = 0; i < 3 && shown.left < 5; i++) {
        await tab2.waitForEvent('load', { timeout: 10_000 });
        shown = await read();
      }
      assert.match(shown.code, /^\d{6}$/, 'a 6-digit code in #code');
      assert.ok(Number.isInteger(shown.left) && shown.left >= 5 && shown.left <= 30,
        `a countdown in #seconds-left, at least 5 s before the next code (${shown.left})`);
      await screenshot(tab2, 'codeviewer-tab2-viewer');

      await tab1.fill('input[name=code]', shown.code);
      await tab1.click('button[name=action][value=code]');
      await tab1.fill('input[name=password]', 'test1234');
      await screenshot(tab1, 'codeviewer-tab1-password');
      await tab1.click('button[name=action][value=password]');

      const query = await landed(tab1, auth);
      const claims = await redeem(query, auth);
      assert.deepEqual(claims.amr, ['code_token', 'password']);
      assert.equal(claims.acr, SUBSTANTIAL);

      // The same code again at once, in a new login: spent, says so, and counts nothing.
      const again = authorization('standard', { prompt: 'login' });
      await enterUserId(tab1, again, 'dorthe');
      await chooseIfAsked(tab1, 'code_viewer', 'input[name=code]');
      for (let i = 0; i < 3; i++) {
        await tab1.fill('input[name=code]', shown.code);
        await tab1.click('button[name=action][value=code]');
        const notice = (await tab1.locator('#notice').textContent()).trim();
        assert.match(notice, /allerede brugt/, `a spent code is said to be spent: "${notice}"`);
        assert.doesNotMatch(notice, /forsøg/, `a spent code counts no attempt: "${notice}"`);
      }
      await screenshot(tab1, 'codeviewer-spent-code');
    }));

  await step('h. a double click on the last step still reaches the client', () =>
    inContext(browser, 'doubleclick', async (context) => {
      const tab = await context.newPage();
      // Carl logs in with his password alone, so the client asks for Low.
      const auth = authorization('standard', { acr_values: 'https://data.gov.dk/concept/core/nsis/Low' });
      await enterUserId(tab, auth, 'carl');
      await chooseIfAsked(tab, 'password', 'input[name=password]');
      await tab.fill('input[name=password]', 'test1234');
      const posts = [];
      tab.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/login/')) posts.push(r.url()); });
      await tab.dblclick('button[name=action][value=password]');
      // The second click aborts the first navigation: wait through that to where it lands.
      for (let tries = 0; ; tries++) {
        try {
          await tab.waitForURL((u) => u.toString().startsWith(redirectUri + '?'), { timeout: 20_000 });
          break;
        } catch (e) {
          if (tries < 3 && /ERR_ABORTED|detached/.test(String(e))) continue;
          throw e;
        }
      }
      const query = await landed(tab, auth);
      const claims = await redeem(query, auth);
      assert.deepEqual(claims.amr, ['password']);
      assert.ok(posts.length >= 1, 'the form was sent');
      // Back to the finished login: not a dead end.
      await tab.goBack();
      await tab.waitForLoadState();
      if (!tab.url().startsWith(redirectUri)) {
        await tab.locator('#finished').waitFor();
        assert.ok(await tab.locator('#back-to-service').count(), 'a link back to the service');
      }
    }));

  await step('i. a newer login\'s request replaces the older one in the app', () =>
    inContext(browser, 'replace', async (context) => {
      const older = await context.newPage();
      const first = authorization();
      const olderId = await enterUserId(older, first, 'anna');
      await chooseIfAsked(older, 'app', '#app-code');
      const newer = await context.newPage();
      const second = authorization();
      const newerId = await enterUserId(newer, second, 'anna');
      await chooseIfAsked(newer, 'app', '#app-code');
      const app = await context.newPage();
      await app.goto(`${issuer}/_sim/app/anna`);
      assert.equal(await app.locator('.app-request').count(), 1, 'the app shows one request');
      assert.equal(await app.locator('.app-request').getAttribute('data-login'), newerId, 'the newest');
      // The older login page learns it by itself (it polls): its request was withdrawn.
      await older.locator('#failure').waitFor({ timeout: 15_000 });
      assert.match(await older.textContent('#failure'), /nyere anmodning/);
      await screenshot(older, 'replaced-older');
      // The newer one logs in.
      const code = (await newer.textContent('#app-code')).replace(/\s/g, '');
      const request = app.locator(`[data-login="${newerId}"]`);
      await request.locator('input[name=code]').fill(code);
      await request.locator('button[name=action][value=approve]').click();
      const claims = await redeem(await landed(newer, second), second);
      assert.deepEqual(claims.amr, ['code_app']);
      assert.notEqual(olderId, newerId);
    }));

  await step('j. every broker page fits a 375 px phone without sideways scrolling', () =>
    inContext(browser, 'mobile', async (context) => {
      const page = await context.newPage();
      await page.setViewportSize({ width: 375, height: 740 });
      const fits = async (what) => {
        await page.waitForLoadState();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `${what} is ${width} px wide at 375 px`);
      };
      // The login screens: user ID, choice, code, password.
      const auth = authorization('standard', { prompt: 'login' });
      await enterUserId(page, auth, 'gitte');
      await page.locator('button[name=method]').first().waitFor();
      await fits('the choice screen');
      await page.click('button[name=method][value=code_reader]');
      await page.locator('input[name=code]').waitFor();
      await fits('the code screen');
      await page.goto(auth.url);
      await fits('the user-ID screen');
      for (const [what, url] of [
        ['the app', `${issuer}/_sim/app/anna`],
        ['the code viewer', `${issuer}/_sim/codeviewer/KV-100200300`],
        ['the code reader', `${issuer}/_sim/codereader/KO-300400500`],
        ['the chip', `${issuer}/_sim/chip/CHIP-0042`],
        ['the key card', `${issuer}/_sim/keycard/lis`],
        ['the outbox', `${issuer}/_sim/outbox`],
        ['the home page', `${issuer}/`],
        ['an error page', `${issuer}/login/no-such-login`],
        ['getting MitID', `${issuer}/_sim/app-setup`],
      ]) {
        await page.goto(url);
        await fits(what);
      }
      await screenshot(page, 'mobile-keycard');
    }));

  await step('c. cancel', () =>
    inContext(browser, 'cancel', async (context) => {
      const tab1 = await context.newPage();
      const auth = authorization();
      await enterUserId(tab1, auth, 'anna');
      const cancel = tab1.locator('button[name=action][value=cancel]');
      await cancel.waitFor();
      await screenshot(tab1, 'cancel-tab1');
      await cancel.click();
      const query = await landed(tab1, auth);
      assert.equal(query.get('code'), null, 'no code');
      assert.equal(query.get('error'), 'access_denied');
      assert.equal(query.get('error_description'), 'mitid_user_aborted');
    }));

  await step('d. a login through each real broker\'s dialect (neb, idura, signicat)', () =>
    inContext(browser, 'profiles', async (context) => {
      const LOW = 'https://data.gov.dk/concept/core/nsis/Low';
      // Three people with their own devices, so no one-time code is needed twice.
      const logins = [
        {
          // Dorthe's code viewer is spent by login b in this 30-second window: Bo's password.
          profile: 'neb', user: 'bo', method: 'password',
          params: { idp_params: JSON.stringify({ mitid: { loa_value: 'low' } }) },
          check: (c) => { assert.equal(c.neb_sid, c.sid); assert.equal(c.subject_type, 'org_mapped'); assert.equal(c.acr, LOW); },
        },
        {
          profile: 'idura', user: 'gitte', method: 'code_reader', device: '/_sim/codereader/KO-300400500',
          check: (c) => { assert.equal(c.identityscheme, 'dkmitid'); assert.equal(c.loA, 'SUBSTANTIAL'); assert.match(c.sub, /^\{[0-9a-f-]{36}\}$/); },
        },
        {
          profile: 'signicat', user: 'carl', method: 'password', params: { acr_values: 'idp:mitid loa:low' },
          check: (c) => { assert.equal(c.sandbox, true); assert.equal(c.idp, 'mitid'); assert.equal(c.acr, 'low'); },
        },
      ];
      for (const login of logins) {
        const page = await context.newPage();
        const auth = authorization(login.profile, login.params);
        await enterUserId(page, auth, login.user);
        if (login.device) {
          await chooseIfAsked(page, login.method, 'input[name=code]');
          const device = await context.newPage();
          await device.goto(`${issuer}${login.device}`);
          if (Number((await device.textContent('#seconds-left')).trim()) < 5) {
            await device.waitForEvent('load', { timeout: 10_000 });
          }
          await page.fill('input[name=code]', (await device.textContent('#code')).replace(/\s/g, ''));
          await page.click('button[name=action][value=code]');
          await device.close();
        } else {
          await chooseIfAsked(page, login.method, 'input[name=password]');
        }
        await page.fill('input[name=password]', 'test1234');
        await page.click('button[name=action][value=password]');
        const query = await landed(page, auth);
        login.check(await redeem(query, auth));
        await screenshot(page, `profiles-${login.profile}`);
        await page.close();
      }
    }));

  await step('e. getting MitID in the app, then logging in with it', () =>
    inContext(browser, 'onboarding', async (context) => {
      const app = await context.newPage();
      await app.goto(`${issuer}/_sim/app-setup`);
      await app.click('button[name=document][value=passport-1]');
      const at = async (step) => {
        await app.locator(`#app-setup[data-step="${step}"]`).waitFor();
      };
      await at('mrz');
      const mrz = await app.inputValue('textarea#mrz');
      assert.equal(mrz.split('\n').length, 2, 'a passport MRZ has two lines');
      await app.click('button[name=action][value=mrz]');
      await at('chip');
      await app.click('button[name=action][value=chip]');
      await at('face');
      await app.waitForFunction(() => {
        const img = document.querySelector('#chip-photo');
        return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
      });
      await screenshot(app, 'onboarding-face');
      await app.click('button[name=selfie][value=same-1]');
      await at('liveness');
      assert.ok((await app.textContent('#challenge')).trim().length > 0, 'a liveness challenge');
      await app.click('button[name=behaviour][value=follows]');
      await at('personal');
      assert.match(await app.inputValue('#cpr'), /^\d{6}-\d{4}$/, 'a suggested CPR number');
      await app.click('#cpr-continue');
      await at('user_id');
      await app.fill('#user_id', 'browser.borger');
      await app.fill('#phone', '55667788');
      await app.click('button[name=action][value=user_id]');
      await at('temporary_pin');

      const phone = await context.newPage();
      await phone.goto(`${issuer}/_sim/outbox`);
      const sms = (await phone.locator('.outbox-message[data-channel=sms] pre').first().textContent()) ?? '';
      const pin = (/\b(\d{6})\b/.exec(sms) ?? [])[1];
      assert.ok(pin, `a 6-digit temporary PIN in the SMS: ${sms}`);
      await app.fill('#temporary_pin', pin);
      await app.click('button[name=action][value=temporary_pin]');
      await at('pin');
      await app.fill('#pin', '2580');
      await app.fill('#confirm', '2580');
      await app.click('button[name=action][value=pin]');
      await at('done');
      assert.equal((await app.textContent('#new-user-id')).trim(), 'browser.borger');
      await screenshot(app, 'onboarding-done');

      // The new identity logs in with its app at once, at high.
      const login = await context.newPage();
      const auth = authorization();
      const txn = await enterUserId(login, auth, 'browser.borger');
      await chooseIfAsked(login, 'app', '#app-code');
      const approved = await fetch(
        `${issuer}/_sim/v1/identities/browser.borger/app/requests/${encodeURIComponent(txn)}/approve`,
        { method: 'POST', headers: jsonHeaders(CONTROL), body: '{}' },
      );
      assert.equal(approved.status, 200, await approved.text());
      const claims = await redeem(await landed(login, auth), auth);
      assert.deepEqual(claims.amr, ['code_app']);
      assert.equal(claims.acr, HIGH);
    }));
}

if (browser && spaRegistered) {
  await step('g. a single-page app logs in from its own origin (PKCE and every call in the page)', () =>
    inContext(browser, 'spa', async (context) => {
      const page = await context.newPage();
      await page.goto(spaUrl);
      // The app sends the person to the login screen by itself; Anna approves in her app.
      await page.waitForURL((u) => u.toString().startsWith(`${issuer}/login/`));
      const txn = decodeURIComponent(/\/login\/([^/?#]+)/.exec(page.url())[1]);
      await page.fill('input[name=user_id]#user_id', 'anna');
      await page.click('button[name=action][value=user_id]');
      await chooseIfAsked(page, 'app', '#app-code');
      const approved = await fetch(
        `${issuer}/_sim/v1/identities/anna/app/requests/${encodeURIComponent(txn)}/approve`,
        { method: 'POST', headers: jsonHeaders(CONTROL), body: '{}' },
      );
      assert.equal(approved.status, 200, await approved.text());
      await page.waitForURL((u) => u.toString().startsWith(`${spaUrl}?`), { timeout: 20_000 });
      await page.locator('#result[data-done]').waitFor();
      const seen = JSON.parse(await page.textContent('#result'));
      await screenshot(page, 'spa-done');
      assert.equal(seen.error, undefined, `the app failed: ${seen.error}`);
      assert.equal(seen.tokenStatus, 200, 'the page reads the token response');
      assert.equal(seen.signatureValid, true, `the ID token verifies with the JWKS (${seen.alg})`);
      assert.equal(seen.claims.aud, SPA_CLIENT_ID);
      assert.equal(seen.claims.nonce, seen.nonce);
      assert.equal(seen.userinfo.sub, seen.claims.sub, 'the page reads userinfo');
      assert.equal(seen.revokeStatus, 200, 'the page revokes its token');
      assert.equal(seen.afterStatus, 401, 'a revoked token reads nothing');

      // The same app at an origin no client registered reads discovery, not the token endpoint.
      const elsewhere = await context.newPage();
      await elsewhere.goto(`${spaElsewhere}?probe=token`);
      await elsewhere.locator('#result[data-done]').waitFor();
      const probe = JSON.parse(await elsewhere.textContent('#result'));
      assert.deepEqual(probe, { discovery: issuer, tokenReadable: false });
    }));
}

if (browser && mailboxRegistered) {
  await step('f. the citizen reads and answers a letter in the demo mailbox', () =>
    inContext(browser, 'mailbox', async (context) => {
      // An authority sends Anna (CPR 720490-1236) a letter she may answer.
      const subject = `Indkaldelse til samtale ${randomBytes(4).toString('hex')}`;
      const sent = await fetch(`${mailbox}/_sim/v1/letters`, {
        method: 'POST',
        headers: jsonHeaders(MAILBOX_CONTROL),
        body: JSON.stringify({
          recipient: '7204901236',
          sender: 'kommune',
          subject,
          body: 'Du er indkaldt til en samtale om dit dagtilbud.\n\nSvar venligst, om tidspunktet passer.',
          accepts_replies: true,
        }),
      });
      assert.equal(sent.status, 201, await sent.text());

      // The mailbox sends the person to the broker's MitID screens before anything else.
      const page = await context.newPage();
      await page.goto(`${mailbox}/`);
      assert.match(page.url(), new RegExp(`^${issuer}/login/`), `the mailbox asks for a login first, not ${page.url()}`);
      await page.fill('input[name=user_id]#user_id', 'anna');
      await page.click('button[name=action][value=user_id]');
      await chooseIfAsked(page, 'app', '#app-code');
      const txn = decodeURIComponent(/\/login\/([^/?#]+)/.exec(page.url())[1]);
      await screenshot(page, 'mailbox-app-code');
      // Anna approves in her (simulated) app; the login screen moves on by itself.
      const approved = await fetch(
        `${issuer}/_sim/v1/identities/anna/app/requests/${encodeURIComponent(txn)}/approve`,
        { method: 'POST', headers: jsonHeaders(CONTROL), body: '{}' },
      );
      assert.equal(approved.status, 200, await approved.text());

      // The inbox, with the new letter unread.
      await page.waitForURL((u) => u.toString() === `${mailbox}/` || u.toString().startsWith(`${mailbox}/folders/`), { timeout: 20_000 });
      await page.locator('.userbar').waitFor();
      assert.match(await page.textContent('.userbar'), /Logget ind som Anna Testesen/);
      assert.match(await page.textContent('.new-post'), /Ny post/);
      const row = page.locator('table.letters tr', { hasText: subject });
      assert.equal(await row.getAttribute('class'), 'unread', 'the new letter is unread');
      await screenshot(page, 'mailbox-inbox');

      // Read it.
      await row.locator('a', { hasText: subject }).click();
      await page.locator('article.letter h2', { hasText: subject }).waitFor();
      assert.match(await page.textContent('article.letter'), /Du er indkaldt til en samtale/);
      assert.match(await page.textContent('article.letter'), /Afsenderen modtager svar/);
      await screenshot(page, 'mailbox-letter');

      // Reply.
      await page.click('a.button:has-text("Svar")');
      await page.locator('textarea[name=body]').waitFor();
      assert.equal(await page.inputValue('input[name=subject]'), `Sv: ${subject}`);
      await page.fill('textarea[name=body]', 'Tak, tidspunktet passer fint.');
      await screenshot(page, 'mailbox-reply');
      await page.click('button[name=intent][value=send]');
      await page.waitForLoadState();

      // The reply is in Sendt, to the municipality, with the text written.
      await page.click('nav .folders a:has-text("Sendt")');
      const reply = page.locator('table.letters a', { hasText: `Sv: ${subject}` });
      await reply.waitFor();
      await reply.click();
      await page.locator('article.letter h2', { hasText: `Sv: ${subject}` }).waitFor();
      const letter = await page.textContent('article.letter');
      assert.match(letter, /Til:/);
      assert.match(letter, /Tak, tidspunktet passer fint\./);
      await screenshot(page, 'mailbox-sent');

      // Back in the inbox the letter is read now.
      await page.click('nav .folders a:has-text("Indbakke")');
      const readRow = page.locator('table.letters tr', { hasText: subject });
      await readRow.waitFor();
      assert.equal(await readRow.getAttribute('class'), 'read', 'the letter is read');

      // On a 375 px phone every page of the mailbox fits without sideways scrolling.
      const letterHref = await readRow.locator('a').first().getAttribute('href');
      await page.setViewportSize({ width: 375, height: 740 });
      for (const path of ['/', letterHref, '/write', '/access', '/folders', `/search?q=${encodeURIComponent('samtale')}`]) {
        await page.goto(new URL(path, mailbox).toString());
        await page.waitForLoadState();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `the mailbox's ${path} is ${width} px wide at 375 px`);
      }
      await screenshot(page, 'mailbox-mobile');
    }));

  // Steps k to u (tests/browser/mailbox.mjs).
  await mailboxSteps({
    browser, step, inContext, screenshot, chooseIfAsked, jsonHeaders, issuer, mailbox, CONTROL, MAILBOX_CONTROL,
  });

  // Steps v to ab (tests/browser/dashboard.mjs).
  await dashboardSteps({
    browser, step, inContext, screenshot, authorization, enterUserId, chooseIfAsked, landed, redeem,
    jsonHeaders, issuer, CONTROL, dashIssuer, dashToken,
  });
}

await browser?.close();
server.close();
spaServer.close();
// 15 here, 11 in mailbox.mjs, 7 in dashboard.mjs.
const expected = 34;
if (passes + failures < expected) {
  console.log(`browser tests: FAIL only ${passes + failures} of ${expected} steps ran`);
  failures++;
}
process.exit(failures > 0 ? 1 : 0);
