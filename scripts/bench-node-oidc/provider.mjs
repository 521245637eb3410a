// node-oidc-provider set up for the headless-login benchmark (bench.mjs starts it as a child
// process; it can also be run by hand: `NODE_ENV=production node provider.mjs [--port N]`).
//
// One RS256 (2048-bit) signing key made at start, one confidential client (client_secret_basic,
// one redirect URI, authorization_code only), PKCE required, userinfo on, the default in-memory
// adapter. The fair equivalent of the broker's `--auto-approve`: a driver client logs in once
// (per phase) through a minimal interaction route (below) that finishes the interaction without
// a page; after that,
// the session cookie it keeps plus `loadExistingGrant` (which always returns a grant with
// `openid profile` granted) make every authorize answer a redirect to the redirect URI with a
// code, with no interaction.
//
// Prints `oidc-provider listening on http://127.0.0.1:PORT` on stdout once it serves requests
// (node-oidc-provider's own start-up notices may come before it).

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';


export const CLIENT_ID = 'demo-mailbox';
export const CLIENT_SECRET = 'demo-mailbox-secret';
export const REDIRECT_URI = 'http://localhost:8081/callback';
export const ACCOUNT_ID = 'anna';
const ACCOUNT_NAME = 'Anna Testesen';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    // 8 = oidc-provider 8.x (the package `oidc-provider`, supports Node 18/20/22);
    // 9 = oidc-provider 9.x (the alias `oidc-provider-9`, made for Node 22+: on Node 20 it
    // prints "Unsupported runtime" but runs).
    'oidc-provider': { type: 'string', default: '8' },
  },
});

const PACKAGES = { 8: 'oidc-provider', 9: 'oidc-provider-9' };
const packageName = PACKAGES[args['oidc-provider']];
if (!packageName) throw new Error(`--oidc-provider must be 8 or 9, not ${args['oidc-provider']}`);
const { default: Provider } = await import(packageName);

// The signing key: RSA 2048, RS256, like the broker's.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: crypto.randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

// Listen first (port 0 = a free port), then build the provider with the issuer that names it.
let handler = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 30_000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(args.port), args.host, resolve);
});
const { port } = server.address();
const issuer = `http://${args.host}:${port}`;

// The grant that "auto-approve" hands out: one per account and client, created once, with
// `openid profile` granted.
const grantIds = new Map();

async function approvedGrant(provider, accountId, clientId) {
  const key = `${accountId}\u0000${clientId}`;
  const known = grantIds.get(key);
  if (known) {
    const grant = await provider.Grant.find(known);
    if (grant) return grant;
  }
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope('openid profile');
  await grant.save();
  grantIds.set(key, grant.jti);
  return grant;
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  // The broker's paths (node-oidc-provider's defaults are /auth and /me).
  routes: { authorization: '/authorize', userinfo: '/userinfo', token: '/token', jwks: '/jwks' },
  scopes: ['openid', 'profile'],
  claims: { openid: ['sub'], profile: ['name'] },
  responseTypes: ['code'],
  pkce: { required: () => true }, // in v9 the default requires PKCE only for public clients
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    // Off: nothing the benchmark uses.
    rpInitiatedLogout: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, name: ACCOUNT_NAME };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId) return undefined;
    return approvedGrant(ctx.oidc.provider, accountId, ctx.oidc.client.clientId);
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

let serverErrors = 0;
provider.on('server_error', (ctx, err) => {
  serverErrors += 1;
  if (serverErrors <= 5) console.error('server_error', err);
});

// The minimal interaction route: the driver's one-time login. It logs the account in and gives
// the consent grant, with no page, and redirects back to the provider's resume URL.
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const grant = await approvedGrant(provider, ACCOUNT_ID, details.params.client_id);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: ACCOUNT_ID }, consent: { grantId: grant.jti } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain');
    res.end(`interaction failed: ${err.message}`);
  }
}

const providerCallback = provider.callback();
handler = (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res);
  } else {
    providerCallback(req, res);
  }
};

function stop() {
  if (serverErrors) console.error(`${serverErrors} server_error event(s)`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(`oidc-provider listening on ${issuer}`);
