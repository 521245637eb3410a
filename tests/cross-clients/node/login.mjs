// An independent relying party: openid-client v6 (panva), strict settings, against the broker.
// Discovery, code flow with PKCE S256 + state + nonce, ID token signature verification,
// RFC 9207 iss on the callback, userinfo, refresh, RP-initiated logout.
// Usage: node login.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_URI
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

async function main() {
  // Plain http on localhost only (over https, --tls, the CA comes from NODE_EXTRA_CA_CERTS);
  // every other check stays on.
  const insecure = new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};
  const config = await step('discovery', () =>
    client.discovery(new URL(issuer), clientId, clientSecret, client.ClientSecretBasic(clientSecret), insecure));
  assert.equal(config.serverMetadata().issuer, issuer);
  client.enableNonRepudiationChecks(config); // verify ID token signatures against the JWKS

  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await step('authorize (302 to the client)', async () => {
    const res = await fetch(authUrl, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location'));
    assert.equal(location.origin + location.pathname, redirectUri);
    assert.equal(location.searchParams.get('iss'), issuer);
    return location;
  });
  const tokens = await step('code exchange, ID token verified (signature, iss, aud, nonce, state, RFC 9207 iss)', () =>
    client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    }));
  const claims = tokens.claims();
  assert.ok(claims.sub);
  assert.equal(claims.azp, clientId);

  await step('userinfo', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.sub, claims.sub);
    assert.ok(info.name);
  });
  await step('refresh (rotated, same sub)', async () => {
    const renewed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(renewed.refresh_token, tokens.refresh_token);
    assert.equal(renewed.claims().sub, claims.sub);
    assert.equal(renewed.claims().auth_time, claims.auth_time);
  });
  await step('RP-initiated logout', async () => {
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: postLogoutUri,
      state: 'bye',
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(back.origin + back.pathname, postLogoutUri);
    assert.equal(back.searchParams.get('state'), 'bye');
  });
  await step('a tampered state is refused', async () => {
    await assert.rejects(() =>
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: codeVerifier,
        expectedState: 'other',
        expectedNonce: nonce,
      }));
  });
}

main()
  .catch(() => {})
  .finally(() => {
    for (const r of results) {
      console.log(`node openid-client: ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ok ? '' : '\n' + r.error}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    process.exit(failed > 0 || results.length < 7 ? 1 : 0);
  });
