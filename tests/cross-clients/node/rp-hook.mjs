// A login hook for rp-check: one login as an openid-client v6 (panva) relying party with its
// strict defaults and ID token signatures verified; the library decides what to refuse.
// Code flow with PKCE, state and nonce; userinfo with the ID token's sub; a refresh. Exits 0
// when every step was accepted (the RP "logged in"), 1 when the library refused something.
// With DISCOVERY_URL (the RP test kit's documents of the client), the metadata is read there,
// and its issuer must still be ISSUER (openid-client takes a full discovery URL as it is).
// Requests time out after 10 s (the slow token endpoint holds its answer longer).
// Usage: node rp-hook.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI [DISCOVERY_URL]
import * as client from 'openid-client';

const [issuer, clientId, clientSecret, redirectUri, discoveryUrl] = process.argv.slice(2);

try {
  const insecure = new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};
  const config = await client.discovery(new URL(discoveryUrl || issuer), clientId, clientSecret,
    client.ClientSecretBasic(clientSecret), insecure);
  if (config.serverMetadata().issuer !== issuer) {
    throw new Error(`discovery names another issuer: ${config.serverMetadata().issuer}`);
  }
  config.timeout = 10;
  client.enableNonRepudiationChecks(config);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const res = await fetch(authUrl, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location')), {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const sub = tokens.claims().sub;
  await client.fetchUserInfo(config, tokens.access_token, sub);
  await client.refreshTokenGrant(config, tokens.refresh_token);
  process.exit(0);
} catch (e) {
  console.error(`rp-hook (openid-client): refused: ${e && e.message || e}`);
  process.exit(1);
}
