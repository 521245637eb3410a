// The demo mailbox in Chromium, beyond the main path of login.mjs's step f: everything the
// guide lists (docs/mailbox.md) walked as a person would, and the bugs of issue 20 that must
// stay fixed. Imported by login.mjs, which passes its helpers in; one node process runs both.
// Every login goes through the broker's MitID screens; the person's app approves through the
// broker's control API, as step f does. Raw HTTP only where a test must prove the server
// refuses what the pages no longer offer.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Anna's CPR number (broker/seed/identities.json) and the association she administers. */
const ANNA_CPR = '7204901236';
const SOLSIKKEN = '31415926';
/** Simulatorfirmaet ApS, where jens is a signatory. */
const SIMULATORFIRMAET = '12345674';
/** The password Anna hands Bo outside the system, for each of her grants to him. */
const BO_PASSWORD = 'solsikke-2024';
const BO_SECOND_PASSWORD = 'rabarber-2025';
const BO_THIRD_PASSWORD = 'kastanje-2026';
/** Impossible CPR numbers: day 32, month 13, all zeros. */
const IMPOSSIBLE_CPRS = ['320190-1234', '011390-1234', '000000-0000'];
/** The smallest PNG (1 x 1 px) and a one-page PDF: attachments the mailbox accepts. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n' +
    '2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n' +
    '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n' +
    'trailer <</Root 1 0 R>>\n%%EOF\n',
);

const tag = () => randomBytes(3).toString('hex');

/**
 * Runs the mailbox's steps. `t` holds login.mjs's helpers and settings: `browser`, `step`,
 * `inContext`, `screenshot`, `chooseIfAsked`, `jsonHeaders`, `issuer`, `mailbox`, `CONTROL`,
 * `MAILBOX_CONTROL`. Returns the number of steps it runs (all of them, pass or fail).
 */
export async function mailboxSteps(t) {
  const { browser, step, inContext, screenshot, chooseIfAsked, jsonHeaders, issuer, mailbox } = t;
  const mailboxOrigin = new URL(mailbox).origin;
  const at = (path) => new URL(path, mailbox).toString();

  /** The simulator delivers a letter (docs/mailbox.md "Simulator tools and API"). */
  async function deliver(recipient, letter, expected = 201) {
    const res = await fetch(at('/_sim/v1/letters'), {
      method: 'POST',
      headers: jsonHeaders(t.MAILBOX_CONTROL),
      body: JSON.stringify({ recipient, sender: 'kommune', accepts_replies: false, body: 'Se vedlagte.', ...letter }),
    });
    const text = await res.text();
    assert.equal(res.status, expected, text);
    return JSON.parse(text);
  }

  /** The broker's control API (docs/control-api.md). */
  async function broker(method, path, body) {
    const res = await fetch(`${issuer}/_sim/v1${path}`, {
      method,
      headers: jsonHeaders(t.CONTROL),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  /** The broker's CPR number for `userId`, as the mailbox's grant form wants it. */
  async function cprOf(userId) {
    const found = await broker('GET', `/identities/${userId}`);
    assert.ok(found.cpr, `${userId} has a CPR number`);
    return found.cpr;
  }

  /** Opens `path` of the mailbox, which sends the person to the broker's MitID screens; logs
   * in as `userId` with the app (approved as step f does) and, for a MitID Erhverv login,
   * chooses `business` on the broker's business screen. Returns the page, back in the mailbox. */
  async function logIn(context, userId, { path = '/', business } = {}) {
    const page = await context.newPage();
    await page.goto(at(path));
    assert.match(page.url(), new RegExp(`^${issuer}/login/`), `the mailbox asks for a login first, not ${page.url()}`);
    await page.fill('input[name=user_id]#user_id', userId);
    await page.click('button[name=action][value=user_id]');
    await chooseIfAsked(page, 'app', '#app-code');
    const txn = decodeURIComponent(/\/login\/([^/?#]+)/.exec(page.url())[1]);
    await broker('POST', `/identities/${userId}/app/requests/${encodeURIComponent(txn)}/approve`, {});
    if (business) {
      // The login page moves on by itself to the business choice.
      const choice = page.locator('button[name=business]', { hasText: business });
      await choice.waitFor({ timeout: 20_000 });
      await choice.click();
    }
    await page.waitForURL((u) => u.origin === mailboxOrigin, { timeout: 20_000 });
    await page.locator('.userbar').waitFor();
    return page;
  }

  /** The session's CSRF token, read from the page as a script of the person's could. */
  const csrfOf = (page) => page.locator('input[name=csrf_token]').first().inputValue();

  /** Posts `form` with the person's own cookies (a forged form, not one the page offers);
   * returns the status, not following redirects. */
  async function forge(page, path, form) {
    const res = await page.request.post(at(path), { form, maxRedirects: 0 });
    return res.status();
  }

  /** The names of the folders in the mailbox's navigation. */
  const folderNames = async (page) =>
    (await page.locator('nav .folders li a').allTextContents()).map((s) => s.trim());

  /** Clicks the folder `name` in the navigation and waits for its page. */
  async function openFolder(page, name) {
    await page.locator('nav .folders a', { hasText: new RegExp(`^${re(name)}$`) }).click();
    await page.locator('main h2', { hasText: new RegExp(`^${re(name)}$`) }).waitFor();
  }

  /** The href of folder `name` in the navigation. */
  const folderHref = (page, name) =>
    page.locator('nav .folders a', { hasText: new RegExp(`^${re(name)}$`) }).getAttribute('href');

  /** Clicks the letter `subject` in the list shown and waits for it. */
  async function openLetter(page, subject) {
    await page.locator('table.letters a', { hasText: subject }).first().click();
    await page.locator('article.letter h2', { hasText: subject }).waitFor();
  }

  /** The rows of the letter list with `subject`. */
  const rows = (page, subject) => page.locator('table.letters tbody tr', { hasText: subject });

  /** The number of unread letters the "Ny post" banner counts (0 without a banner). */
  async function newPost(page) {
    const banner = page.locator('.new-post');
    if (!(await banner.count())) return 0;
    const match = /(\d+)/.exec(await banner.textContent());
    assert.ok(match, 'the banner counts the unread letters');
    return Number(match[1]);
  }

  /** The notice shown once after an action. */
  const notice = async (page) => (await page.locator('.notice').textContent()).trim();

  /** Clicks a submit and waits for the page it lands on. */
  async function submit(page, locator) {
    await Promise.all([page.waitForEvent('load'), (typeof locator === 'string' ? page.locator(locator) : locator).click()]);
  }

  /** Anna chooses a mailbox on /mailboxes ("Skift postkasse"). */
  async function switchTo(page, name, password) {
    // From a mailbox page its link; from a refusal the page's way on.
    await page.locator('a:has-text("Skift postkasse"), main a.button:has-text("Vælg postkasse")').first().click();
    await page.locator('h2', { hasText: 'Vælg postkasse' }).waitFor();
    const item = page.locator('ul.mailboxes li', { hasText: name });
    if (password !== undefined) await item.locator('input[name=password]').fill(password);
    await submit(page, item.locator('button', { hasText: 'Åbn' }));
  }

  /** Gives `cpr` access under "Adgange for andre", as Anna types it. */
  async function grant(page, { name, cpr, readWrite = false, folders, password }) {
    await page.goto(at('/access'));
    const form = page.locator('form[action="/access"]');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=cpr]').fill(cpr);
    await form.locator(`input[name=permission][value=${readWrite ? 'read_write' : 'read'}]`).check();
    if (folders) {
      await form.locator('input[name=all_folders]').uncheck();
      for (const folder of folders) {
        await form.locator('label', { hasText: new RegExp(`^\\s*${re(folder)}\\s*$`) }).locator('input[name=folder]').check();
      }
    }
    await form.locator('input[name=password]').fill(password);
    await submit(page, form.locator('button[type=submit]'));
  }

  let steps = 0;
  const mailboxStep = async (name, fn) => {
    steps++;
    return step(name, fn);
  };

  // ---------------------------------------------------------------------------------------
  await mailboxStep('k. delegation: Anna gives Bo read access to chosen folders by CPR number and password; Bo reads through his own MitID and may change nothing', () =>
    inContext(browser, 'delegation', async (annaContext) => {
      const boCpr = await cprOf('bo');
      const id = tag();
      const shared = `Til Bo ${id}`;
      const filed = `Arkiveret ${id}`;
      const folder = `Bo læser ${id}`;
      await deliver(ANNA_CPR, { subject: shared, accepts_replies: true, body: 'Et brev Bo må læse.' });
      await deliver(ANNA_CPR, { subject: filed, sender: 'skattestyrelsen' });

      // Anna makes a folder for Bo and files a letter there.
      const anna = await logIn(annaContext, 'anna');
      await anna.click('a:has-text("Administrer mapper")');
      await anna.fill('form[action="/folders"] input[name=name]', folder);
      await submit(anna, 'form[action="/folders"] button[type=submit]');
      assert.match(await notice(anna), new RegExp(`Mappen «${re(folder)}» er oprettet`));
      await openFolder(anna, 'Indbakke');
      await openLetter(anna, filed);
      await anna.selectOption('select[name=folder_id]', { label: folder });
      await submit(anna, 'button:has-text("Flyt")');
      const sentHref = await folderHref(anna, 'Sendt');

      // The grant: CPR number, read access, Indbakke and her folder, a password. She types a
      // name of her own; the broker's name for the CPR number is the one shown.
      await anna.click('nav a:has-text("Adgange for andre")');
      await grant(anna, { name: 'Bobby', cpr: boCpr, folders: ['Indbakke', folder], password: BO_PASSWORD });
      assert.match(await notice(anna), /Bo Prøvegaard har fået adgang/);
      const row = anna.locator('table.grants:not(.history) tbody tr', { hasText: boCpr });
      const text = await row.textContent();
      assert.match(text, /Bo Prøvegaard/, 'the broker\'s name for the CPR number');
      assert.doesNotMatch(text, /Bobby|ikke kontrolleret/, 'not the name Anna typed, and it is checked');
      assert.match(text, /Læseadgang/);
      assert.match(text, new RegExp(`Indbakke, ${re(folder)}`), 'the chosen folders');
      await screenshot(anna, 'delegation-granted');

      await openFolder(anna, 'Indbakke');
      const unreadBefore = await newPost(anna);
      assert.ok(unreadBefore >= 1, 'Anna has unread post');
      assert.equal(await rows(anna, shared).getAttribute('class'), 'unread');

      await inContext(browser, 'delegation-bo', async (boContext) => {
        const bo = await logIn(boContext, 'bo');
        assert.match(await bo.textContent('.current-mailbox'), /Bo Prøvegaard/);
        // A wrong password first: refused, with the attempts left.
        await switchTo(bo, 'Anna Testesen', 'forkert-kode');
        assert.match(await bo.textContent('main'), /Forkert adgangskode.*4 forsøg tilbage/s);
        await switchTo(bo, 'Anna Testesen', BO_PASSWORD);
        assert.match(await bo.textContent('.current-mailbox'), /Anna Testesen/);
        assert.deepEqual(await folderNames(bo), ['Indbakke', folder], 'only the folders given');
        assert.equal(await bo.locator('a:has-text("Skriv nyt brev")').count(), 0, 'no write link');
        assert.equal(await bo.locator('a:has-text("Adgange for andre")').count(), 0, 'no access page');
        assert.equal(await bo.locator('footer').count(), 0, 'the owner\'s address is not shown to a helper');
        // A folder not given is the same 404 as one that does not exist.
        assert.equal((await bo.goto(at(sentHref))).status(), 404, 'Anna\'s Sendt is not Bo\'s to see');
        await bo.goto(at('/'));

        await openLetter(bo, shared);
        const letterPath = new URL(bo.url()).pathname;
        await screenshot(bo, 'delegation-helper-letter');
        assert.equal(await bo.locator('a.button:has-text("Svar")').count(), 0, 'no reply for read access');
        assert.equal(await bo.locator('.actions button:has-text("Slet")').count(), 0, 'no delete for read access');
        assert.equal(await bo.locator('select[name=folder_id] option', { hasText: 'Slettet' }).count(), 0, 'no move to Slettet');
        // The server refuses them too, with Bo's own valid CSRF token.
        const csrf = await csrfOf(bo);
        assert.equal(await forge(bo, `${letterPath}/reply`, { csrf_token: csrf, subject: 'Sv: forfalsket', body: 'Nej.', submission: `forged-${id}` }), 403, 'a reply');
        assert.equal(await forge(bo, `${letterPath}/delete`, { csrf_token: csrf }), 403, 'a delete');
        assert.equal(await forge(bo, '/write', { csrf_token: csrf, authority: 'kommune', subject: 'Forfalsket', body: 'Nej.', submission: `forged2-${id}` }), 403, 'a new letter');

        // Read access forwards only inside Digital Post (docs/mailbox.md's table): the form
        // says so, an e-mail address is refused even when forged, a CPR number is taken.
        await bo.click('a.button:has-text("Videresend")');
        assert.match(await bo.textContent('main'), /kun inden for Digital Post/);
        assert.equal(
          await forge(bo, `${letterPath}/forward`, { csrf_token: csrf, to: `bo.${id}@example.dk`, submission: `forged3-${id}` }),
          403,
          'forwarding out of Digital Post',
        );
        const outbox = await (await fetch(at('/_sim/v1/outbox'), { headers: jsonHeaders(t.MAILBOX_CONTROL) })).json();
        assert.ok(
          !outbox.messages.some((m) => m.to === `bo.${id}@example.dk`),
          `nothing left Digital Post: ${JSON.stringify(outbox.messages.map((m) => [m.to, m.subject]))}`,
        );
        await bo.fill('input[name=to]', boCpr);
        await submit(bo, 'form button:has-text("Videresend")');
        assert.match(await notice(bo), /Brevet er videresendt/);
      });

      // Bo read it, but it is still unread for Anna, and her banner counts the same.
      await anna.reload();
      assert.equal(await rows(anna, shared).getAttribute('class'), 'unread', 'Bo reading leaves Anna\'s unread mark');
      assert.equal(await newPost(anna), unreadBefore, 'the "Ny post" banner counts the same');
      // Her activity log says who read it.
      await anna.click('nav a:has-text("Aktivitetslog")');
      assert.match(await anna.textContent('main'), /Bo Prøvegaard/);
    }));

  await mailboxStep('l. delegation: revoking asks first and ends Bo\'s access at once (403, his own mailbox from the front page); five wrong passwords lock a grant and Anna is told', () =>
    inContext(browser, 'revoke', async (annaContext) => {
      const boCpr = await cprOf('bo');
      const anna = await logIn(annaContext, 'anna');
      await inContext(browser, 'revoke-bo', async (boContext) => {
        const bo = await logIn(boContext, 'bo');
        await switchTo(bo, 'Anna Testesen', BO_PASSWORD);
        assert.match(await bo.textContent('.current-mailbox'), /Anna Testesen/);
        const inboxHref = await folderHref(bo, 'Indbakke');
        const letterHref = await bo.locator('table.letters a').first().getAttribute('href');

        // Revoke asks first, naming the person and the access; Bo keeps his access meanwhile.
        await anna.click('nav a:has-text("Adgange for andre")');
        await submit(anna, anna.locator('button[aria-label="Tilbagekald for Bo Prøvegaard…"]'));
        assert.match(new URL(anna.url()).pathname, /^\/access\/[^/]+\/revoke$/);
        assert.match(await anna.textContent('main h2'), /Tilbagekald adgangen for Bo Prøvegaard\?/);
        assert.match(await anna.textContent('main'), new RegExp(`${re(boCpr)}, Læseadgang`));
        await screenshot(anna, 'revoke-confirm');
        assert.equal((await bo.goto(at(letterHref))).status(), 200, 'not revoked before the confirmation');
        await submit(anna, 'button:has-text("Ja, tilbagekald")');
        assert.match(await notice(anna), /Adgangen for Bo Prøvegaard er tilbagekaldt/);
        assert.equal(await anna.locator('table.grants:not(.history) tr', { hasText: boCpr }).count(), 0, 'no longer under Givne adgange');
        const history = anna.locator('table.history tbody tr', { hasText: boCpr });
        assert.equal(await history.count(), 1, 'under Tidligere adgange');
        assert.match(await history.locator('td').nth(3).textContent(), /\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/, 'when it was revoked');

        // Bo's next request is refused; the front page takes him home with a notice.
        assert.equal((await bo.goto(at(letterHref))).status(), 403, 'the letter');
        assert.match(await bo.textContent('main h2'), /Adgangen er ophørt/);
        assert.equal((await bo.goto(at(inboxHref))).status(), 403, 'a folder');
        assert.equal((await bo.goto(at('/'))).status(), 200);
        assert.match(await bo.textContent('.current-mailbox'), /Bo Prøvegaard/, 'his own mailbox');
        assert.match(await notice(bo), /adgang til den postkasse, du arbejdede i, er ophørt/);
        await screenshot(bo, 'revoke-helper-home');

        // A new grant; five wrong passwords lock it.
        await grant(anna, { name: '', cpr: boCpr, password: BO_SECOND_PASSWORD });
        assert.match(await notice(anna), /Bo Prøvegaard har fået adgang/);
        for (let i = 1; i <= 5; i++) {
          await switchTo(bo, 'Anna Testesen', `forkert-${i}-kode`);
          assert.match(await bo.textContent('main h2'), i < 5 ? /Forkert adgangskode/ : /Adgangen er låst/, `wrong password ${i}`);
          await bo.goto(at('/'));
        }
        await bo.click('a:has-text("Skift postkasse")');
        const locked = bo.locator('ul.mailboxes li', { hasText: 'Anna Testesen' });
        assert.match(await locked.textContent(), /Låst: bed ejeren om en ny adgangskode/);
        assert.equal(await locked.locator('input[name=password]').count(), 0, 'no password field while locked');

        // Every page of Anna's tells her, and says how to open it again.
        await anna.goto(at('/'));
        assert.match(await anna.textContent('main .error'), /Adgangen for Bo Prøvegaard til denne postkasse er låst/);
        await anna.click('main .error a:has-text("Adgange for andre")');
        const row = anna.locator('table.grants:not(.history) tbody tr', { hasText: boCpr });
        assert.match(await row.textContent(), /låst \(for mange forkerte adgangskoder\)/);
        await screenshot(anna, 'grant-locked');
        // A new password opens it again.
        await row.locator('input[name=password]').fill(BO_THIRD_PASSWORD);
        await submit(anna, row.locator('button', { hasText: 'Sæt' }));
        assert.match(await notice(anna), /Adgangen for Bo Prøvegaard har fået en ny adgangskode/);
        assert.equal(await anna.locator('main .error').count(), 0, 'no lock told any more');
        await bo.goto(at('/'));
        await switchTo(bo, 'Anna Testesen', BO_THIRD_PASSWORD);
        assert.match(await bo.textContent('.current-mailbox'), /Anna Testesen/);
      });
    }));

  await mailboxStep('m. fixed: received post never goes to Sendt or Kladder nor is sent as a draft; line breaks are kept; a 200-character subject does not widen the page', () =>
    inContext(browser, 'received', async (context) => {
      const id = tag();
      // 200 characters, most of them one long word.
      const subject = `Langt ${id} ${'Betalingsoversigtsbekræftelse'.repeat(10)}`.slice(0, 200);
      assert.equal(subject.length, 200);
      await deliver(ANNA_CPR, { subject, body: 'Første linje\nAnden linje\n\nNyt afsnit' });
      const page = await logIn(context, 'anna');
      const sendt = await folderHref(page, 'Sendt');
      const kladder = await folderHref(page, 'Kladder');
      const fits = async (what, width) => {
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= width, `${what} is ${scroll} px wide at ${width} px`);
      };
      await fits('the inbox with a 200-character subject', page.viewportSize().width);

      await openLetter(page, subject.slice(0, 40));
      const letterPath = new URL(page.url()).pathname;
      const options = (await page.locator('select[name=folder_id] option').allTextContents()).map((s) => s.trim());
      assert.ok(options.includes('Slettet'), `Flyt til offers Slettet: ${options}`);
      assert.ok(!options.includes('Sendt') && !options.includes('Kladder'), `Flyt til offers neither Sendt nor Kladder: ${options}`);
      assert.equal(await page.locator('button:has-text("Send kladden")').count(), 0, 'no "Send kladden"');
      assert.equal(await page.locator('a:has-text("Ret kladden")').count(), 0, 'no "Ret kladden"');
      // The paragraphs and the line break within the first.
      const paragraphs = await page.locator('.letter-body p').allInnerTexts();
      assert.deepEqual(paragraphs.map((p) => p.trim()), ['Første linje\nAnden linje', 'Nyt afsnit']);
      assert.equal(await page.locator('.letter-body p br').count(), 1);
      await fits('the letter with a 200-character subject', page.viewportSize().width);
      await page.setViewportSize({ width: 375, height: 740 });
      await fits('the letter at 375 px', 375);
      await page.goto(at('/'));
      await fits('the inbox at 375 px', 375);
      await screenshot(page, 'received-long-subject-mobile');

      // Forged, the server refuses each with 409 and the letter stays in Indbakke.
      const csrf = await csrfOf(page);
      for (const [what, href] of [['Sendt', sendt], ['Kladder', kladder]]) {
        const folderId = href.split('/').pop();
        assert.equal(await forge(page, `${letterPath}/move`, { csrf_token: csrf, folder_id: folderId }), 409, `a move to ${what}`);
      }
      assert.equal(await forge(page, `${letterPath}/send-draft`, { csrf_token: csrf }), 409, 'sent as a draft');
      await page.goto(at(letterPath));
      assert.equal((await page.locator('main > p a', { hasText: '←' }).textContent()).trim(), '← Indbakke', 'still in Indbakke');
      await openFolder(page, 'Sendt');
      assert.equal(await rows(page, id).count(), 0, 'not in Sendt');
    }));

  await mailboxStep('n. fixed: impossible CPR numbers are refused at the grant and forward forms, next to the field, with what was typed kept, and nothing is given or sent', () =>
    inContext(browser, 'cpr', async (context) => {
      const id = tag();
      const subject = `Videresend ikke ${id}`;
      await deliver(ANNA_CPR, { subject });
      const page = await logIn(context, 'anna');
      await page.click('nav a:has-text("Adgange for andre")');
      const grantsBefore = await page.locator('table.grants tbody tr').count();
      for (const cpr of IMPOSSIBLE_CPRS) {
        const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === at('/access'));
        await grant(page, { name: `Prøve ${id}`, cpr, password: 'hemmelig-1234' });
        assert.equal((await answer).status(), 400, `${cpr} is refused`);
        const form = page.locator('form[action="/access"]');
        assert.match(await form.locator('#cpr-error').textContent(), /CPR/, `the message is at the CPR field for ${cpr}`);
        assert.equal(await form.locator('input[name=cpr]').getAttribute('aria-invalid'), 'true');
        assert.equal(await form.locator('input[name=cpr]').inputValue(), cpr, 'the CPR number typed is kept');
        assert.equal(await form.locator('input[name=name]').inputValue(), `Prøve ${id}`, 'the name typed is kept');
        assert.equal(await form.locator('input[name=password]').inputValue(), '', 'never the password');
      }
      await screenshot(page, 'cpr-grant-refused');
      await page.goto(at('/access'));
      assert.equal(await page.locator('table.grants tbody tr').count(), grantsBefore, 'no grant was given');
      assert.doesNotMatch(await page.textContent('main'), new RegExp(`Prøve ${id}`));

      await openFolder(page, 'Indbakke');
      await openLetter(page, subject);
      const letterPath = new URL(page.url()).pathname;
      for (const cpr of IMPOSSIBLE_CPRS) {
        await page.goto(at(`${letterPath}/forward`));
        await page.fill('input[name=to]', cpr);
        await page.fill('textarea[name=note]', `Til ${cpr}`);
        const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === at(`${letterPath}/forward`));
        await submit(page, 'form button:has-text("Videresend")');
        assert.equal((await answer).status(), 400, `forwarding to ${cpr} is refused`);
        assert.match(await page.locator('#to-error').textContent(), /CPR/, `the message is at the recipient field for ${cpr}`);
        assert.equal(await page.inputValue('input[name=to]'), cpr, 'the recipient typed is kept');
        assert.equal(await page.inputValue('textarea[name=note]'), `Til ${cpr}`, 'the note typed is kept');
        assert.equal(await page.locator('.notice').count(), 0, 'no "forwarded" notice');
      }
      await screenshot(page, 'cpr-forward-refused');
    }));

  await mailboxStep('o. fixed: Send pressed twice (both requests reaching the mailbox), and the same form posted again, send one letter', () =>
    inContext(browser, 'once', async (context) => {
      const id = tag();
      const subject = `Én gang ${id}`;
      const page = await logIn(context, 'anna');
      await page.click('a:has-text("Skriv nyt brev")');
      await page.selectOption('select[name=authority]', 'skattestyrelsen');
      await page.fill('input[name=subject]', subject);
      await page.fill('textarea[name=body]', 'Sendt med et dobbeltklik.');
      const submission = await page.inputValue('input[name=submission]');
      const csrf = await csrfOf(page);
      // On a slow network the first request has left before the second press: hold the first
      // until the second is sent, then let both reach the mailbox at once.
      const held = [];
      let firstSent;
      let bothSent;
      const first = new Promise((resolve) => { firstSent = resolve; });
      const both = new Promise((resolve) => { bothSent = resolve; });
      const answers = [];
      await page.route(at('/write'), (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        held.push(route);
        if (held.length === 1) firstSent();
        if (held.length === 2) bothSent();
        const answer = both.then(async () => {
          const response = await route.fetch({ maxRedirects: 0 });
          // The browser dropped the first navigation for the second: only that one is shown.
          await route.fulfill({ response }).catch(() => {});
          return response.status();
        });
        answers.push(answer);
        return answer;
      });
      const send = page.locator('button[name=intent][value=send]');
      await send.focus();
      await page.keyboard.press('Enter');
      await first;
      await page.keyboard.press('Enter');
      await both;
      // The page shows the answer to the second press. Which request the mailbox takes first is
      // not fixed: the one it takes sends and shows Sendt; the other, arriving while the first
      // is being sent, says "Allerede sendt" (409) and sends nothing.
      const moved = page.waitForURL((u) => u.pathname !== '/write', { timeout: 15_000 }).then(() => 'sent', () => null);
      const told = page.locator('text=Allerede sendt').first().waitFor({ timeout: 15_000 }).then(() => 'already sent', () => null);
      const shown = await Promise.race([moved, told]);
      assert.ok(shown, 'the second press shows Sendt or says the letter was sent already');
      await page.unroute(at('/write'));
      assert.equal(held.length, 2, 'the browser sent the form twice');
      const statuses = await Promise.all(answers);
      assert.ok(
        statuses.every((s) => s < 400 || s === 409) && statuses.filter((s) => s === 409).length <= 1,
        `one answer sends, the other sends nothing: ${statuses}`,
      );
      // The same form once more, as a reload of the POST would send it.
      const again = await page.request.post(at('/write'), {
        form: { csrf_token: csrf, submission, authority: 'skattestyrelsen', subject, body: 'Sendt med et dobbeltklik.', intent: 'send' },
      });
      assert.ok(again.status() < 400, `the same form again is not an error: ${again.status()}`);
      await page.goto(at('/'));
      await openFolder(page, 'Sendt');
      assert.equal(await rows(page, subject).count(), 1, 'one letter in Sendt (the form was posted three times)');
      await screenshot(page, 'once-sendt');
    }));

  await mailboxStep('p. fixed: a login the broker refuses (a locked MitID) says so in the mailbox, not "cancelled"', () =>
    inContext(browser, 'locked-login', async (context) => {
      // Ida is needed by no other step; her rule is put back afterwards.
      const before = await broker('GET', '/identities/ida');
      await broker('PATCH', '/identities/ida', { rule: 'locked' });
      try {
        const page = await context.newPage();
        await page.goto(at('/'));
        await page.fill('input[name=user_id]#user_id', 'ida');
        await page.click('button[name=action][value=user_id]');
        await page.locator('#failure').waitFor();
        await screenshot(page, 'locked-login-broker');
        await page.click('button[name=action][value=leave]');
        await page.waitForURL((u) => u.origin === mailboxOrigin);
        await page.locator('main h2').waitFor();
        await screenshot(page, 'locked-login-mailbox');
        assert.equal(await page.textContent('main h2'), 'Dit MitID er spærret');
        const text = await page.textContent('main');
        assert.doesNotMatch(text, /afbrudt|afbrød/i, 'not told as a cancel');
        assert.ok(await page.locator('a:has-text("Log ind igen")').count(), 'offers to log in again');
      } finally {
        await broker('PATCH', '/identities/ida', { rule: before.rule ?? null });
      }
      assert.equal((await broker('GET', '/identities/ida')).rule ?? null, before.rule ?? null, 'Ida\'s rule is back');
    }));

  await mailboxStep('q. the guide: write to an authority with a PDF, save the draft, edit it (Ret kladden) adding a PNG, send it; the letter in Sendt with both files', () =>
    inContext(browser, 'write', async (context) => {
      const id = tag();
      const subject = `Spørgsmål om boligstøtte ${id}`;
      const pdfName = `lejekontrakt-${id}.pdf`;
      const pngName = `kvittering-${id}.png`;
      const page = await logIn(context, 'anna');
      await page.click('a:has-text("Skriv nyt brev")');
      await page.selectOption('select[name=authority]', { label: 'Udbetaling Danmark' });
      await page.fill('input[name=subject]', subject);
      await page.setInputFiles('input[type=file][name=files]', { name: pdfName, mimeType: 'application/pdf', buffer: PDF });
      await submit(page, 'button[name=intent][value=draft]');
      assert.match(await notice(page), /Brevet er gemt i Kladder/);
      await page.goto(at('/'));
      await openFolder(page, 'Kladder');
      assert.match(await rows(page, subject).textContent(), /Udbetaling Danmark/);
      await openLetter(page, subject);
      assert.ok(await page.locator('button:has-text("Send kladden")').count(), 'a draft can be sent as it is');

      await page.click('a:has-text("Ret kladden")');
      await page.locator('main h2', { hasText: 'Ret kladde' }).waitFor();
      assert.equal(await page.inputValue('input[name=subject]'), subject, 'the subject is filled in');
      assert.equal(await page.inputValue('select[name=authority]'), 'udbetaling-danmark');
      assert.match(await page.textContent('main'), new RegExp(`Bilag i kladden \\(beholdes\\): ${re(pdfName)}`));
      await page.fill('textarea[name=body]', 'Jeg har fået ny lejekontrakt.\nKvitteringen er vedlagt.');
      await page.setInputFiles('input[type=file][name=files]', { name: pngName, mimeType: 'image/png', buffer: PNG });
      await screenshot(page, 'write-edit-draft');
      await submit(page, 'button[name=intent][value=send]');
      assert.match(await notice(page), /Kladden er sendt/);

      await page.goto(at('/'));
      await openFolder(page, 'Kladder');
      assert.equal(await rows(page, subject).count(), 0, 'no longer in Kladder');
      await openFolder(page, 'Sendt');
      await openLetter(page, subject);
      const letter = page.locator('article.letter');
      assert.match(await letter.textContent(), /Til: Udbetaling Danmark/);
      assert.deepEqual(
        (await letter.locator('.letter-body p').allInnerTexts()).map((p) => p.trim()),
        ['Jeg har fået ny lejekontrakt.\nKvitteringen er vedlagt.'],
      );
      const files = letter.locator('h3:has-text("Bilag") + ul li a');
      assert.deepEqual(await files.allTextContents(), [pdfName, pngName], 'both files, by their real names');
      // Downloading it gives the file as uploaded, under its name.
      const [download] = await Promise.all([page.waitForEvent('download'), files.nth(1).click()]);
      assert.equal(download.suggestedFilename(), pngName);
      assert.deepEqual(readFileSync(await download.path()), PNG, 'the file as uploaded');
      await screenshot(page, 'write-sent-with-files');
    }));

  await mailboxStep('r. the guide: own folder (create, move into, rename, delete), mark unread, delete, restore (Gendan), delete for good', () =>
    inContext(browser, 'folders', async (context) => {
      const id = tag();
      const subject = `Flyttebrev ${id}`;
      const folder = `Arkiv ${id}`;
      const renamed = `Gemt ${id}`;
      await deliver(ANNA_CPR, { subject, sender: 'politiet' });
      const page = await logIn(context, 'anna');
      await page.click('a:has-text("Administrer mapper")');
      await page.fill('form[action="/folders"] input[name=name]', folder);
      await submit(page, 'form[action="/folders"] button[type=submit]');
      assert.ok((await folderNames(page)).includes(folder), 'the new folder in the navigation');

      // Read, then mark unread.
      await openFolder(page, 'Indbakke');
      await openLetter(page, subject);
      await submit(page, 'button:has-text("Markér som ulæst")');
      assert.match(await notice(page), /Brevet er markeret som ulæst/);
      await page.goto(at('/'));
      assert.equal(await rows(page, subject).getAttribute('class'), 'unread', 'unread again');

      // Move it into the folder.
      await openLetter(page, subject);
      await page.selectOption('select[name=folder_id]', { label: folder });
      await submit(page, 'button:has-text("Flyt")');
      assert.match(await notice(page), new RegExp(`Brevet er flyttet til ${re(folder)}`));
      await openFolder(page, folder);
      assert.equal(await rows(page, subject).count(), 1, 'in the folder');
      await openFolder(page, 'Indbakke');
      assert.equal(await rows(page, subject).count(), 0, 'not in Indbakke');

      // Rename the folder.
      await page.click('a:has-text("Administrer mapper")');
      const item = page.locator('ul.own-folders li', { hasText: folder });
      await item.locator('input[name=name]').fill(renamed);
      await submit(page, item.locator(`button[aria-label="Omdøb ${folder}"]`));
      assert.match(await notice(page), new RegExp(`Mappen hedder nu «${re(renamed)}»`));
      const names = await folderNames(page);
      assert.ok(names.includes(renamed) && !names.includes(folder), `renamed in the navigation: ${names}`);

      // Delete to Slettet, restore to the folder it came from, delete again and for good.
      await openFolder(page, renamed);
      await openLetter(page, subject);
      await submit(page, '.actions button:has-text("Slet")');
      assert.match(await notice(page), /Brevet er flyttet til Slettet/);
      await openFolder(page, 'Slettet');
      await openLetter(page, subject);
      await submit(page, `button:has-text("Gendan til ${renamed}")`);
      assert.match(await notice(page), new RegExp(`Brevet er gendannet til ${re(renamed)}`));
      await openFolder(page, renamed);
      await openLetter(page, subject);
      await submit(page, '.actions button:has-text("Slet")');
      await openFolder(page, 'Slettet');
      await openLetter(page, subject);
      await submit(page, 'button:has-text("Slet permanent")');
      assert.match(await page.textContent('main h2'), /Slet permanent\?/, 'asks first');
      await submit(page, 'button:has-text("Ja, slet permanent")');
      assert.match(await notice(page), /Brevet er slettet permanent/);
      await page.goto(at(`/search?q=${encodeURIComponent(subject)}&deleted=on`));
      assert.equal(await rows(page, subject).count(), 0, 'gone, also from Slettet');

      // The folder is empty now: delete it.
      await page.click('a:has-text("Administrer mapper")');
      await submit(page, page.locator(`button[aria-label="Slet mappe ${renamed}"]`));
      assert.match(await notice(page), new RegExp(`Mappen «${re(renamed)}» er slettet`));
      assert.ok(!(await folderNames(page)).includes(renamed));
    }));

  await mailboxStep('s. the guide: search (Danish letters in any case), sort and page through the results', () =>
    inContext(browser, 'search', async (context) => {
      const id = tag();
      const word = `Søgeord${id}`;
      const senders = ['skattestyrelsen', 'politiet', 'domstolene'];
      for (let i = 1; i <= 22; i++) {
        await deliver(ANNA_CPR, { subject: `${word} nr. ${String(i).padStart(2, '0')}`, sender: senders[i % 3] });
      }
      await deliver(ANNA_CPR, { subject: `Varsel om ændring ${id}`, body: 'Din ydelse ændres.' });
      const page = await logIn(context, 'anna');
      await page.fill('form.search input[name=q]', word.toUpperCase());
      await submit(page, 'form.search button');
      assert.match(await page.textContent('nav.pager'), /Side 1 af 2 \(22 breve\)/);
      assert.equal(await rows(page, word).count(), 20, '20 letters a page');
      await page.click('a[rel=next]');
      await page.locator('nav.pager', { hasText: 'Side 2 af 2' }).waitFor();
      assert.equal(await rows(page, word).count(), 2);
      assert.equal(new URL(page.url()).searchParams.get('q'), word.toUpperCase(), 'the page link keeps the query');

      // By sender: Domstolene first, Skattestyrelsen last.
      await page.click('p.sort a:has-text("Afsender")');
      await page.locator('p.sort strong', { hasText: 'Afsender' }).waitFor();
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('sort'), 'sender');
      assert.equal(url.searchParams.get('q'), word.toUpperCase(), 'the sort link keeps the query');
      const firstPage = await rows(page, word).allInnerTexts();
      assert.match(firstPage[0], /Domstolene/);
      await page.click('a[rel=next]');
      await page.locator('nav.pager', { hasText: 'Side 2 af 2' }).waitFor();
      const lastPage = await rows(page, word).allInnerTexts();
      assert.match(lastPage[lastPage.length - 1], /Skattestyrelsen/);
      assert.equal(new URL(page.url()).searchParams.get('sort'), 'sender', 'the page link keeps the sort');

      // Oldest first, then newest first: the dates run the other way.
      const dates = async () => (await page.locator('table.letters tbody tr td:last-child').allTextContents())
        .map((d) => d.trim().replace(/^(\d\d)\.(\d\d)\.(\d{4}) (\d\d:\d\d)$/, '$3$2$1$4'));
      await page.click('p.sort a:has-text("Ældste først")');
      await page.locator('p.sort strong', { hasText: 'Ældste først' }).waitFor();
      const oldest = await dates();
      assert.deepEqual(oldest, [...oldest].sort(), 'oldest first');
      await page.click('p.sort a:has-text("Nyeste først")');
      await page.locator('p.sort strong', { hasText: 'Nyeste først' }).waitFor();
      const newest = await dates();
      assert.deepEqual(newest, [...newest].sort().reverse(), 'newest first');
      await screenshot(page, 'search-sorted');

      // Danish letters in any case.
      await page.fill('form.search input[name=q]', `ÆNDRING ${id.toUpperCase()}`);
      await submit(page, 'form.search button');
      assert.equal(await rows(page, `Varsel om ændring ${id}`).count(), 1, 'ÆNDRING finds ændring');
      assert.equal(await rows(page, word).count(), 0);
    }));

  await mailboxStep('t. the guide: an association\'s mailbox and back, a business\'s through MitID Erhverv, and an exempt person\'s', () =>
    inContext(browser, 'other-mailboxes', async (context) => {
      const id = tag();
      await deliver(`association:${SOLSIKKEN}`, { subject: `Generalforsamling ${id}` });
      await deliver(SIMULATORFIRMAET, { subject: `Momsangivelse ${id}`, sender: 'skattestyrelsen' });

      // Anna administers Grundejerforeningen Solsikken.
      const anna = await logIn(context, 'anna');
      await switchTo(anna, 'Grundejerforeningen Solsikken');
      assert.match(await anna.textContent('.current-mailbox'), /Grundejerforeningen Solsikken/);
      assert.equal(await rows(anna, `Generalforsamling ${id}`).count(), 1, 'the association\'s post');
      assert.ok(await anna.locator('nav a:has-text("Adgange for andre")').count(), 'its administrator manages access');
      await screenshot(anna, 'association-mailbox');
      await switchTo(anna, 'Anna Testesen');
      assert.match(await anna.textContent('.current-mailbox'), /Anna Testesen/);
      assert.equal(await rows(anna, `Generalforsamling ${id}`).count(), 0, 'back in her own');

      // Jens logs in with MitID Erhverv and chooses the business on the broker's screen.
      await inContext(browser, 'business', async (jensContext) => {
        const jens = await logIn(jensContext, 'jens', { business: 'Simulatorfirmaet ApS' });
        assert.match(await jens.textContent('.current-mailbox'), /Simulatorfirmaet ApS/);
        assert.equal(await rows(jens, `Momsangivelse ${id}`).count(), 1, 'the business\'s post');
        assert.match(await jens.textContent('footer'), new RegExp(`cvr:${SIMULATORFIRMAET}`));
        assert.ok(await jens.locator('nav a:has-text("Adgange for andre")').count(), 'a signatory manages access');
        await screenshot(jens, 'business-mailbox');
        await switchTo(jens, 'Jens Direktør');
        assert.match(await jens.textContent('.current-mailbox'), /Jens Direktør/);
      });

      // Hugo is exempt: his mailbox says so, and an authority's letter goes on paper.
      const paper = await deliver('7008115013', { subject: `På papir ${id}` }, 202);
      assert.equal(paper.delivered, 'paper');
      await inContext(browser, 'exempt', async (hugoContext) => {
        const hugo = await logIn(hugoContext, 'hugo');
        assert.match(await hugo.textContent('.exempt'), /Fritaget for Digital Post/);
        assert.match(await hugo.textContent('.exempt'), /sendes på papir/);
        assert.equal(await rows(hugo, `På papir ${id}`).count(), 0, 'the letter did not arrive here');
        await screenshot(hugo, 'exempt-mailbox');
      });
    }));

  await mailboxStep('u. the mailbox switched to English before logging in asks the MitID screens in English (ui_locales)', () =>
    inContext(browser, 'english', async (context) => {
      const page = await logIn(context, 'anna');
      await page.click('header .language a');
      await page.locator('main h2', { hasText: 'Inbox' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await submit(page, '.userbar button:has-text("Log out")');
      await page.waitForURL((u) => u.origin === mailboxOrigin && u.pathname === '/logged-out', { timeout: 20_000 });
      assert.match(await page.textContent('main'), /You are logged out/);
      await page.click('a:has-text("Log in again")');
      await page.waitForURL((u) => u.toString().startsWith(`${issuer}/login/`));
      assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the MitID screen is in English');
      assert.match(await page.textContent('#header'), /Log (in|on)/);
      await screenshot(page, 'english-mitid');
      await page.fill('input[name=user_id]#user_id', 'anna');
      await page.click('button[name=action][value=user_id]');
      await chooseIfAsked(page, 'app', '#app-code');
      const txn = decodeURIComponent(/\/login\/([^/?#]+)/.exec(page.url())[1]);
      await broker('POST', `/identities/anna/app/requests/${encodeURIComponent(txn)}/approve`, {});
      await page.waitForURL((u) => u.origin === mailboxOrigin, { timeout: 20_000 });
      await page.locator('main h2', { hasText: 'Inbox' }).waitFor();
      assert.match(await page.textContent('.userbar'), /Logged in as Anna Testesen/);
    }));

  return steps;
}

/** `text` as a literal inside a regular expression. */
function re(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
