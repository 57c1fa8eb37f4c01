// A real OpenID Connect provider for Lekwijzer's single sign-on tests.
//
// panva/oidc-provider (OpenID Certified) does the protocol: discovery, authorization
// code + PKCE, ID tokens signed with the keys given here, JWKS, userinfo, RP-initiated
// logout. This file only adds what a test needs around it:
//
//   * a sign-in page that checks a password (the library's dev pages accept anything),
//   * consent granted for the configured clients (they are first-party),
//   * test controls under /__test__/ (loopback only), each a real-world situation:
//       POST /__test__/rotate   {"keys": {...}}    rotate the signing keys (new provider
//                                                  instance, same process and sessions)
//       POST /__test__/jwks     {"publish": {...}} publish another key set than the one
//                                                  that signs (null: publish the real one)
//       POST /__test__/clock    {"offset": -3600}  the provider's clock is off while it
//                                                  issues tokens (seconds)
//       POST /__test__/clients  {"clients": [...]} replace the registered clients
//       POST /__test__/users    {"users": {...}}   replace the accounts
//       GET  /__test__/hits                        requests per path (e.g. /jwks)
//       GET  /__test__/ready
//
// Usage: node idp.js config.json   (config: port, name, clients, users, keys, cookiePrefix)
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const PORT = Number(config.port);
const ISSUER = config.issuer || `http://127.0.0.1:${PORT}`;
const NAME = config.name || 'Test identity provider';
const prefix = config.cookiePrefix || `idp${PORT}`;

const state = {
  users: config.users || {},
  clients: config.clients || [],
  keys: config.keys,
  publish: null,
  clockOffset: 0,
  hits: {},
};

const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>${esc(title)} – ${esc(NAME)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#eef1f5;margin:0}
header{background:#2b2d42;color:#fff;padding:14px 24px;font-weight:600}
main{max-width:380px;margin:48px auto;background:#fff;padding:24px 28px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
label{display:block;margin:14px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:8px;font-size:16px;border:1px solid #889}
button{margin-top:18px;padding:10px 16px;font-size:16px;background:#2b2d42;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fde8e8;border-left:4px solid #c00;padding:8px 12px}
.muted{color:#555;font-size:14px}
</style></head>
<body><header>${esc(NAME)}</header><main>${body}</main></body></html>`;
}

function findUser(login) {
  // By user name or by e-mail address (as most providers accept both).
  if (Object.hasOwn(state.users, login)) return { login, ...state.users[login] };
  const lower = login.toLowerCase();
  for (const [name, user] of Object.entries(state.users)) {
    if ((user.claims?.email || '').toLowerCase() === lower) return { login: name, ...user };
  }
  return null;
}

function accountBySub(sub) {
  for (const [login, user] of Object.entries(state.users)) {
    if ((user.sub || login) === sub) return { login, ...user };
  }
  return null;
}

function buildProvider() {
  const provider = new Provider(ISSUER, {
    clients: state.clients.map((c) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...c,
    })),
    jwks: state.keys,
    pkce: { required: () => true },
    conformIdTokenClaims: config.conformIdTokenClaims ?? true,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: {
      keys: [`cookie-key-${prefix}`],
      names: { session: `${prefix}_session`, interaction: `${prefix}_interaction`, resume: `${prefix}_resume` },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Afmelden', `<h1>Afmelden bij ${esc(NAME)}?</h1>
            <p class="muted">Lekwijzer vraagt om u ook hier af te melden.</p>${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, afmelden</button>
            <button type="submit" form="op.logoutForm">Nee, aangemeld blijven</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Afgemeld', '<h1>U bent afgemeld.</h1>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      // The registered clients are first-party: consent is implied, as in a company's own IdP.
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    async findAccount(ctx, sub) {
      const user = accountBySub(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...(user.claims || {}) };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Fout', `<h1>Er ging iets mis</h1><pre>${esc(JSON.stringify(out, null, 1))}</pre>`);
    },
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
    },
  });
  provider.proxy = false;
  return provider;
}

let provider = buildProvider();
let handler = provider.callback();

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function loginForm(uid, details, error, typed) {
  const hint = typed ?? details.params.login_hint ?? '';
  return page('Inloggen', `<h1>Inloggen</h1>
    <p class="muted">Log in met uw account van ${esc(NAME)} om verder te gaan naar Lekwijzer.</p>
    ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
    <form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
      <label for="login">Gebruikersnaam</label>
      <input id="login" name="login" value="${esc(hint)}" required autofocus>
      <label for="password">Wachtwoord</label>
      <input id="password" name="password" type="password" required>
      <button type="submit">Inloggen</button>
    </form>`);
}

async function interaction(req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login|\/abort)?$/);
  if (!match) return send(res, 404, page('Niet gevonden', '<h1>Niet gevonden</h1>'));
  const [, uid, action] = match;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Fout', '<h1>Onbekende aanvraag</h1>'));
  if (action === '/abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (action === '/login' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const login = (form.get('login') || '').trim();
    const user = findUser(login);
    if (!user || user.password !== form.get('password')) {
      return send(res, 200, loginForm(uid, details, 'Onjuiste gebruikersnaam of wachtwoord.', login));
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.sub || login } },
      { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') return send(res, 200, loginForm(uid, details));
  // Consent is implied for first-party clients (loadExistingGrant); anything else is unexpected.
  return send(res, 501, page('Fout', `<h1>Niet ondersteund: ${esc(details.prompt.name)}</h1>`));
}

async function control(req, res, url) {
  const json = (status, body) => send(res, status, JSON.stringify(body), 'application/json');
  if (url.pathname === '/__test__/ready') return json(200, { issuer: ISSUER });
  if (url.pathname === '/__test__/hits') return json(200, state.hits);
  if (req.method !== 'POST') return json(405, { error: 'POST' });
  const body = JSON.parse((await readBody(req)) || '{}');
  switch (url.pathname) {
    case '/__test__/rotate':
      state.keys = body.keys;
      break;
    case '/__test__/clients':
      state.clients = body.clients;
      break;
    case '/__test__/users':
      state.users = body.users;
      return json(200, { ok: true });
    case '/__test__/jwks':
      state.publish = body.publish;
      return json(200, { ok: true });
    case '/__test__/clock':
      state.clockOffset = Number(body.offset || 0);
      return json(200, { ok: true });
    default:
      return json(404, { error: 'unknown control' });
  }
  // Keys and clients are fixed per provider instance: build a new one. The in-memory
  // adapter's storage belongs to the process, so sessions and grants survive.
  provider = buildProvider();
  handler = provider.callback();
  return json(200, { ok: true });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, ISSUER);
  state.hits[url.pathname] = (state.hits[url.pathname] || 0) + 1;
  try {
    if (url.pathname.startsWith('/__test__/')) return await control(req, res, url);
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    if (url.pathname === '/jwks' && state.publish) {
      return send(res, 200, JSON.stringify(state.publish), 'application/jwk-set+json');
    }
    if (url.pathname === '/token' && state.clockOffset) {
      // The provider's clock is off while it issues the tokens of this request.
      const realNow = Date.now;
      Date.now = () => realNow.call(Date) + state.clockOffset * 1000;
      try {
        return await handler(req, res);
      } finally {
        Date.now = realNow;
      }
    }
    return await handler(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 500, page('Fout', `<h1>${esc(err.name)}</h1>`));
  }
});

server.listen(PORT, '127.0.0.1', () => console.log(`IdP "${NAME}" listening on ${ISSUER}`));
