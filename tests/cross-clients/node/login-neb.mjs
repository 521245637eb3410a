// A relying party written from NEB's documentation (Signaturgruppen's broker documentation:
// oidc-integration.md, idps/mitid.md, issued-claims-tokens.md), with openid-client v6, against
// the broker's `neb` issuer: NEB's scopes, idp_values and idp_params, the ID token verified
// (signature, iss, aud, nonce), NEB's claims and their JSON types, userinfo where every value
// is a string, logout with id_token_hint.
// Usage: node login-neb.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_URI
import * as client from 'openid-client';
import assert from 'node:assert/strict';

const [issuer, clientId, clientSecret, redirectUri, postLogoutUri] = process.argv.slice(2);
const results = [];
async function step(name, fn) {
  try {
    const value = await fn();
    results.push({ name, ok: true });
    return value;
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.stack || e) });
    throw e;
  }
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NSIS = 'https://data.gov.dk/concept/core/nsis/';

async function main() {
  const insecure = new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};
  const config = await step('neb discovery (no scopes_supported, /connect/ endpoints)', async () => {
    const c = await client.discovery(new URL(issuer), clientId, clientSecret, client.ClientSecretBasic(clientSecret), insecure);
    const meta = c.serverMetadata();
    assert.equal(meta.issuer, issuer);
    assert.equal(meta.scopes_supported, undefined);
    assert.ok(meta.authorization_endpoint.endsWith('/connect/authorize'));
    return c;
  });
  client.enableNonRepudiationChecks(config);

  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const referenceText = Buffer.from('Log på Digital Post').toString('base64');
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid mitid ssn',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    idp_values: 'mitid',
    idp_params: JSON.stringify({ mitid: { loa_value: 'substantial', reference_text: referenceText, action_text: 'LOG_ON' } }),
    language: 'da',
  });
  const callback = await step('authorize with idp_values and idp_params (302 to the client)', async () => {
    const res = await fetch(authUrl, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location'));
    assert.equal(location.origin + location.pathname, redirectUri);
    return location;
  });
  const tokens = await step('code exchange, ID token verified (signature, iss, aud, nonce, state)', () =>
    client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    }));
  const claims = tokens.claims();
  await step('NEB ID token claims and types (issued-claims-tokens.md)', async () => {
    assert.match(claims.sub, GUID);
    assert.equal(claims.sid, claims.neb_sid);
    assert.match(claims.neb_sid, GUID);
    assert.match(claims.transaction_id, GUID);
    assert.equal(typeof claims.session_expiry, 'string');
    assert.equal(claims.idp, 'mitid');
    assert.equal(claims.acr, NSIS + 'Substantial');
    assert.equal(claims.identity_type, 'private');
    assert.equal(claims.exp - claims.iat, 300);
    assert.equal(tokens.expires_in, 10800);
    assert.equal(tokens.access_token.split('.').length, 3, 'the access token is a JWT');
  });
  await step('userinfo: every value a string', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    for (const [name, value] of Object.entries(info)) assert.equal(typeof value, 'string', name);
    assert.equal(info['mitid.has_cpr'], 'true');
    assert.match(info['mitid.age'], /^[0-9]+$/);
    assert.match(info['dk.cpr'], /^[0-9]{10}$/);
    assert.match(info['mitid.uuid'], GUID);
  });
  await step('RP-initiated logout with id_token_hint', async () => {
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: postLogoutUri,
      state: 'bye',
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(back.origin + back.pathname, postLogoutUri);
  });
}

main()
  .catch(() => {})
  .finally(() => {
    for (const r of results) {
      console.log(`node openid-client (neb): ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ok ? '' : '\n' + r.error}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    process.exit(failed > 0 || results.length < 6 ? 1 : 0);
  });
