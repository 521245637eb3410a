// The simulator's dashboard (/_sim/, docs/dashboard.md) in Chromium, as a developer uses it.
// Imported by login.mjs, which passes its helpers in; one node process runs everything.
//
// Steps v to x use the main broker (interactive, no control token unless the environment sets
// one, in Danish): a login shows in the list live as it happens and is approved from there;
// its timeline shows the token exchange; an identity made through the form logs in; a waiting
// login is rejected from the list, its requests found on the request page, an identity deleted. Steps y to
// ab use a second broker that runs on a manual clock and is locked with a control token (each
// browser context unlocks it once, in English): keys, queued decisions and faults, the clock,
// reset, clients, a device's block, a rule, an edit and the language switch. Every action is a
// click on the dashboard's own forms; the control API is used only to check what they did.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

const tag = () => randomBytes(3).toString('hex');

/**
 * Runs the dashboard's steps. `t` holds login.mjs's helpers and settings: `browser`, `step`,
 * `inContext`, `screenshot`, `authorization`, `enterUserId`, `chooseIfAsked`, `landed`,
 * `redeem`, `jsonHeaders`, `issuer`, `CONTROL`, `dashIssuer` (the locked broker on a manual
 * clock) and `dashToken` (its control token).
 */
export async function dashboardSteps(t) {
  const { browser, step, inContext, screenshot, issuer, CONTROL, dashIssuer, dashToken } = t;

  /** A context for the locked broker: English, unlocked once through its own form. */
  async function inDashContext(name, fn) {
    const context = await browser.newContext({ locale: 'en-GB' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(`${dashIssuer}/_sim/`);
      assert.match(new URL(page.url()).pathname, /^\/_sim\/unlock/, 'the locked dashboard asks for its token');
      await page.fill('#token', dashToken);
      await page.click('button[type=submit]');
      await page.waitForURL((u) => u.pathname === '/_sim/');
      await page.close();
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

  /** The control API of a broker, to check what a click did. */
  async function control(base, token, path, init = {}) {
    const res = await fetch(`${base}/_sim/v1${path}`, { ...init, headers: t.jsonHeaders(token) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  // The login step v approves, for step w (inContext answers nothing of its own).
  let live;
  let liveAuth;
  await step('v. dashboard: a login shows live as it happens and is approved from the list', () =>
    inContext(browser, 'dash-live', async (context) => {
      const dash = await context.newPage();
      await dash.goto(`${issuer}/_sim/`);
      await dash.locator('#live.on').waitFor();
      // Marks the document: a reload would lose it, so the row must come over the live stream.
      await dash.evaluate(() => { window.stillTheSamePage = true; });

      const person = await context.newPage();
      const auth = t.authorization();
      const txn = await t.enterUserId(person, auth, 'bo');
      await t.chooseIfAsked(person, 'app', '#app-code');

      // The row came when the request did, and follows the screens: the user ID typed.
      const row = dash.locator(`tr.login-row[data-login="${txn}"]`);
      await row.locator('td.person:text-is("bo")').waitFor();
      assert.equal(await row.getAttribute('data-status'), 'pending');
      assert.equal(await dash.evaluate(() => window.stillTheSamePage), true, 'the row came without a reload');
      assert.ok(Number(await dash.getAttribute('#login-rows', 'data-updates')) >= 1, 'swapped in by the stream');
      await screenshot(dash, 'dash-live-pending');

      await row.locator('form.approve select[name=user_id]').selectOption('bo');
      await row.locator('form.approve button[type=submit]').click();
      await dash.waitForURL((u) => u.pathname === '/_sim/' && u.searchParams.get('done') === 'approved');
      const decided = dash.locator(`tr.login-row[data-login="${txn}"]`);
      assert.equal(await decided.getAttribute('data-status'), 'approved');
      assert.match(await decided.locator('td.decided-by').textContent(), /explicit \(dashboard\)/);
      await screenshot(dash, 'dash-live-approved');

      // The person's waiting screen moves on by itself, to the client with a code.
      const query = await t.landed(person, auth);
      const claims = await t.redeem(query, auth);
      assert.deepEqual(claims.amr, ['code_app'], 'a simulated app login');
      live = txn;
      liveAuth = auth;
    }));

  await step('w. dashboard: a login\'s timeline shows the ladder and the token exchange', () =>
    inContext(browser, 'dash-timeline', async (context) => {
      assert.ok(live, 'step v made a login');
      const page = await context.newPage();
      await page.goto(`${issuer}/_sim/`);
      await page.click(`tr.login-row[data-login="${live}"] a`);
      await page.waitForURL((u) => u.pathname === `/_sim/logins/${live}`);
      assert.equal(await page.getAttribute('#dash-login', 'data-status'), 'approved');
      assert.match(await page.textContent('#ladder li.decided'), /explicit/);
      assert.match(await page.textContent('#decided-by'), /explicit \(dashboard\)/);
      // The screens the person went through, in order: the user ID first, then on to the app.
      const visited = await page.locator('#screen-list li code').allTextContents();
      assert.equal(visited[0], 'user_id', visited.join(' > '));
      assert.ok(visited.includes('app'), visited.join(' > '));
      assert.match(await page.textContent('#tl-screens'), /app/);
      // The answer went back with a code, which is never shown.
      await page.locator('#code-issued').waitFor();
      assert.match(await page.textContent('#tl-answer'), /\[redacted\]/);
      // The client redeemed it: the token exchange, from the request log, with the ID token
      // decoded and a note on each claim the client must check.
      assert.match(await page.textContent('#tl-calls'), /token exchange/);
      const exchange = page.locator('details.request[data-endpoint=token][data-status="200"]');
      await exchange.waitFor();
      const claim = (name) => exchange.locator(`.id-token tr.claim[data-name="${name}"]`);
      assert.match(await claim('nonce').textContent(), new RegExp(liveAuth.nonce));
      assert.ok((await claim('iss').textContent()).includes(liveAuth.issuer), 'iss');
      for (const name of ['aud', 'exp', 'iat', 'nonce', 'acr', 'at_hash', 'sub']) {
        assert.equal(await claim(name).locator('.check').count(), 1, `a note on ${name}`);
      }
      assert.match(await exchange.textContent(), /code_verifier\s*\[redacted\]/);
      await screenshot(page, 'dash-timeline');
    }));

  await step('x. dashboard: an identity made through the form logs in', () =>
    inContext(browser, 'dash-identity', async (context) => {
      const user = `dash-${tag()}`;
      const page = await context.newPage();
      await page.goto(`${issuer}/_sim/identities`);
      await page.click('#new-identity');
      await page.fill('#user_id', user);
      await page.fill('#given_name', 'Dagny');
      await page.fill('#family_name', 'Dashboard');
      await page.fill('#birthdate', '1985-05-17');
      await page.check('#auth_app');
      await page.click('#identity-save');
      await page.waitForURL((u) => u.pathname === `/_sim/identities/${user}`);
      await page.locator('#done').waitFor();
      assert.match(await page.textContent('#dash-identity h1'), /Dagny Dashboard/);
      assert.equal((await page.textContent('#reaches')).trim(), 'substantial');
      assert.ok(await page.locator('.profile-claims[data-profile=neb]').count(), 'claims per profile');
      const made = await control(issuer, CONTROL, `/identities/${user}`);
      assert.equal(made.status, 200);

      // The list finds her.
      await page.goto(`${issuer}/_sim/identities`);
      await page.fill('#identity-search input[name=q]', 'dashboard');
      await page.click('#identity-search button');
      await page.locator(`tr.identity-row[data-user="${user}"]`).waitFor();

      // She logs in through the screens with her app.
      const person = await context.newPage();
      const auth = t.authorization();
      const txn = await t.enterUserId(person, auth, user);
      await t.chooseIfAsked(person, 'app', '#app-code');
      const code = (await person.textContent('#app-code')).replace(/\s/g, '');
      const approved = await control(issuer, CONTROL, `/identities/${user}/app/requests/${txn}/approve`, {
        method: 'POST',
        body: JSON.stringify({ code }),
      });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const claims = await t.redeem(await t.landed(person, auth), auth);
      assert.equal(claims.sub, made.body.id, 'the ID token names the new identity');
    }));

  await step('ac. dashboard: a waiting login rejected from the list, its requests on the request page, an identity deleted', () =>
    inContext(browser, 'dash-reject', async (context) => {
      const dash = await context.newPage();
      await dash.goto(`${issuer}/_sim/`);
      await dash.locator('#live.on').waitFor();
      const person = await context.newPage();
      const auth = t.authorization();
      const txn = await t.enterUserId(person, auth, 'bo');
      await t.chooseIfAsked(person, 'app', '#app-code');
      const row = dash.locator(`tr.login-row[data-login="${txn}"]`);
      await row.locator('form.reject button[type=submit]').click();
      await dash.waitForURL((u) => u.pathname === '/_sim/' && u.searchParams.get('done') === 'rejected');
      assert.equal(await dash.getAttribute(`tr.login-row[data-login="${txn}"]`, 'data-status'), 'rejected');
      // The person's waiting screen moves on by itself: back at the client with an error.
      await person.waitForURL((u) => u.toString().includes('error='), { timeout: 20_000 });
      const query = new URL(person.url()).searchParams;
      assert.equal(query.get('error'), 'access_denied');
      assert.equal(query.get('state'), auth.state);

      // The request page, filtered by that login: its authorize request, with the client.
      await dash.goto(`${issuer}/_sim/requests`);
      await dash.fill('#request-filter input[name=login]', txn);
      await dash.click('#request-filter button[type=submit]');
      await dash.waitForURL((u) => u.pathname === '/_sim/requests' && u.searchParams.get('login') === txn);
      const authorize = dash.locator('details.request[data-endpoint=authorize]');
      assert.ok(await authorize.count() >= 1, 'the login\'s authorize request is listed');
      assert.match(await authorize.first().textContent(), new RegExp(txn));
      assert.equal(await dash.locator('details.request[data-endpoint=token]').count(), 0, 'no other login\'s requests');

      // An identity deleted through its page is gone.
      const user = `gone-${tag()}`;
      const made = await control(issuer, CONTROL, '/identities', {
        method: 'POST',
        body: JSON.stringify({ user_id: user, given_name: 'Gone', family_name: 'Soon' }),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await dash.goto(`${issuer}/_sim/identities/${user}`);
      await dash.click('#delete-identity button[type=submit]');
      await dash.waitForURL((u) => u.pathname === '/_sim/identities');
      assert.equal((await control(issuer, CONTROL, `/identities/${user}`)).status, 404);
      assert.equal(await dash.locator(`tr.identity-row[data-user="${user}"]`).count(), 0);
    }));

  await step('y. dashboard (locked, manual clock): keys are rotated and a retired key removed', () =>
    inDashContext('dash-keys', async (context) => {
      const page = await context.newPage();
      await page.goto(`${dashIssuer}/_sim/keys`);
      const active = page.locator('tr.key-row[data-state=active][data-kind=rsa]');
      const kid = await active.getAttribute('data-kid');
      await page.selectOption('#rotate-key select[name=kind]', 'rsa');
      await page.click('#rotate-key button[type=submit]');
      await page.waitForURL((u) => u.searchParams.get('done') === 'rotated');
      const old = page.locator(`tr.key-row[data-kid="${kid}"]`);
      assert.equal(await old.getAttribute('data-state'), 'retired');
      assert.notEqual(await page.getAttribute('tr.key-row[data-state=active][data-kind=rsa]', 'data-kid'), kid);
      await old.locator('button[type=submit]').click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'removed');
      assert.equal(await page.locator(`tr.key-row[data-kid="${kid}"]`).count(), 0);
      const jwks = await (await fetch(`${dashIssuer}/jwks`)).json();
      assert.ok(!jwks.keys.some((k) => k.kid === kid), 'the removed key left the JWKS');
    }));

  await step('z. dashboard (locked): decisions and faults are queued, removed and cleared', () =>
    inDashContext('dash-queue', async (context) => {
      const page = await context.newPage();
      await page.goto(`${dashIssuer}/_sim/queue`);
      await page.selectOption('#outcome', 'reject');
      await page.fill('#description', 'mitid_user_aborted');
      await page.click('#queue-decision');
      await page.waitForURL((u) => u.searchParams.get('done') === 'queued');
      await page.locator('tr.decision-row[data-outcome=reject]').waitFor();
      let queued = await control(dashIssuer, dashToken, '/decisions');
      assert.equal(queued.body.length, 1);
      assert.equal(queued.body[0].description, 'mitid_user_aborted');

      // A bad decision gets a page that says why, and a way back.
      await page.selectOption('#outcome', 'reject');
      await page.selectOption('#user_id', 'anna');
      await page.click('#queue-decision');
      await page.locator('#dash-error[data-status="400"]').waitFor();
      assert.match(await page.textContent('#error-message'), /approve decision/);
      await page.click('#dash-error a');

      await page.selectOption('#fault', 'invalid-iss');
      await page.selectOption('#fault_client', 'demo-mailbox');
      await page.fill('#count', '2');
      await page.click('#queue-fault');
      await page.waitForURL((u) => u.searchParams.get('done') === 'queued');
      const row = page.locator('tr.fault-row[data-fault="invalid-iss"][data-client="demo-mailbox"]');
      await row.locator('button[type=submit]').click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'removed');
      assert.equal(await row.count(), 0);
      await page.selectOption('#fault', 'invalid-aud');
      await page.click('#queue-fault');
      await page.waitForURL((u) => u.searchParams.get('done') === 'queued');
      await page.click('#clear-faults button');
      await page.locator('#no-faults').waitFor();
      await page.click('#clear-decisions button');
      await page.locator('#no-decisions').waitFor();
      queued = await control(dashIssuer, dashToken, '/decisions');
      assert.deepEqual(queued.body, []);
      assert.deepEqual((await control(dashIssuer, dashToken, '/faults/queued')).body, []);
    }));

  await step('aa. dashboard (locked): the clock moves, and reset clears a waiting login', () =>
    inDashContext('dash-clock', async (context) => {
      const page = await context.newPage();
      await page.goto(`${dashIssuer}/_sim/instance`);
      assert.equal(await page.getAttribute('#dash-clock', 'data-controllable'), '1');
      const before = Number(await page.getAttribute('#dash-clock', 'data-now'));
      await page.fill('#advance-clock input[name=seconds]', '120');
      await page.click('#advance-clock button');
      await page.waitForURL((u) => u.searchParams.get('done') === 'advanced');
      const after = Number(await page.getAttribute('#dash-clock', 'data-now'));
      assert.ok(after >= before + 120 && after < before + 180, `the clock moved 120 s (${before} -> ${after})`);
      const clock = await control(dashIssuer, dashToken, '/clock');
      assert.ok(clock.body.now >= before + 120);

      // A login waits at the locked broker (the login itself is not locked); reset clears it.
      const person = await context.newPage();
      const url = new URL(`${dashIssuer}/authorize`);
      url.search = new URLSearchParams({
        client_id: 'demo-mailbox', redirect_uri: 'http://localhost:8081/callback', response_type: 'code',
        scope: 'openid', state: tag(), nonce: tag(), code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      await person.goto(url.toString());
      const txn = decodeURIComponent(/\/login\/([^/?#]+)/.exec(person.url())[1]);
      await page.goto(`${dashIssuer}/_sim/`);
      await page.locator(`tr.login-row[data-login="${txn}"]`).waitFor();
      await page.goto(`${dashIssuer}/_sim/instance`);
      await page.click('#reset button');
      await page.waitForURL((u) => u.searchParams.get('done') === 'reset');
      await page.goto(`${dashIssuer}/_sim/`);
      await page.locator('#no-logins').waitFor();
      assert.equal((await control(dashIssuer, dashToken, `/logins/${txn}`)).status, 404);
    }));

  await step('ab. dashboard (locked): a client with its secret shown once, a device blocked, a rule, an edit, Danish', () =>
    inDashContext('dash-clients', async (context) => {
      const page = await context.newPage();
      const client = `dash-rp-${tag()}`;
      await page.goto(`${dashIssuer}/_sim/clients`);
      await page.fill('#client_id', client);
      await page.fill('#name', 'Dashboard RP');
      await page.fill('#redirect_uris', 'https://rp.example/cb\nhttps://rp.example/cb2');
      await page.click('#client-create');
      await page.waitForURL((u) => u.pathname === '/_sim/clients');
      const secret = (await page.textContent('#client-secret')).trim();
      assert.ok(secret.length >= 20, 'a generated secret, shown once');
      assert.equal(await page.locator('#redirect-uris li').count(), 2);
      await page.goto(`${dashIssuer}/_sim/clients/${client}`);
      assert.equal(await page.locator('#client-secret').count(), 0, 'never shown again');
      assert.ok(!(await page.content()).includes(secret));
      await page.click('#delete-client button');
      await page.waitForURL((u) => u.pathname === '/_sim/clients');
      assert.equal((await control(dashIssuer, dashToken, `/clients/${client}`)).status, 404);

      // Anna's app blocked for ten minutes, then unblocked; a rule set and taken off.
      await page.goto(`${dashIssuer}/_sim/identities/anna`);
      const app = page.locator('tr.device[data-device=app]');
      await app.locator('input[name=seconds]').fill('600');
      await app.locator('button[type=submit]').click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'blocked');
      assert.equal(await page.getAttribute('tr.device[data-device=app]', 'data-blocked'), '1');
      const devices = await control(dashIssuer, dashToken, '/identities/anna/devices');
      assert.ok(devices.body.app.blocked_until > 0);
      await page.locator('tr.device[data-device=app] button[type=submit]').click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'unblocked');
      assert.equal(await page.getAttribute('tr.device[data-device=app]', 'data-blocked'), '0');

      await page.selectOption('#identity-rule select[name=rule]', 'always_cancels');
      await page.click('#set-rule');
      await page.waitForURL((u) => u.searchParams.get('done') === 'rule');
      assert.match(await page.textContent('#current-rule'), /always_cancels/);
      assert.equal((await control(dashIssuer, dashToken, '/identities/anna')).body.rule, 'always_cancels');
      await page.selectOption('#identity-rule select[name=rule]', '');
      await page.click('#set-rule');
      await page.waitForURL((u) => u.searchParams.get('done') === 'rule');
      assert.equal((await control(dashIssuer, dashToken, '/identities/anna')).body.rule, undefined);

      // Edit: a new e-mail address.
      await page.click('#edit-identity');
      await page.fill('#email', 'anna.ny@example.test');
      await page.click('#identity-save');
      await page.waitForURL((u) => u.pathname === '/_sim/identities/anna' && u.searchParams.get('done') === 'saved');
      assert.equal((await control(dashIssuer, dashToken, '/identities/anna')).body.email, 'anna.ny@example.test');

      // The switch: Danish, remembered on the next page.
      await page.click('#lang-switch');
      await page.waitForLoadState();
      assert.equal(await page.getAttribute('html', 'lang'), 'da');
      await page.click('#nav-keys');
      await page.waitForURL((u) => u.pathname === '/_sim/keys');
      assert.equal(await page.getAttribute('html', 'lang'), 'da');
      assert.match(await page.textContent('#dash-nav'), /Nøgler/);
      await screenshot(page, 'dash-danish');
    }));
}
