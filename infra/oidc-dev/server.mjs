// A local OpenID Connect provider for development and tests, built on panva's oidc-provider
// (OpenID Certified). One script serves either issuer Jobbro knows:
//   company: a stand-in for the municipality's broker in front of NemLog-in (MitID Erhverv),
//            passing the OIOSAML 3 professional attributes through as claims;
//   staff:   a stand-in for the municipality's own provider (Entra ID / AD FS) with a `groups` claim.
// Identities come from a JSON file; the login page lets one choose an identity (or, for companies,
// type any CVR), the way a test login at a real broker does. Never for production.
//
//   node server.mjs --config identities.json --instance company --port 8010 \
//        --rp http://127.0.0.1:8000 [--identities extra.json]

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: new URL('./identities.json', import.meta.url).pathname },
    identities: { type: 'string', multiple: true, default: [] },
    instance: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    rp: { type: 'string', multiple: true, default: [] },
  },
});

const all = JSON.parse(fs.readFileSync(args.config, 'utf8'));
const conf = all[args.instance];
if (!conf || !args.port) {
  console.error(`usage: server.mjs --instance ${Object.keys(all).join('|')} --port N --rp <web url>`);
  process.exit(2);
}
const identities = [...conf.identities];
for (const file of args.identities) {
  // Extra identities (e.g. one person per demo company, written by `python -m services.crm demo-identities`).
  const extra = JSON.parse(fs.readFileSync(file, 'utf8'));
  identities.push(...(extra[args.instance] || []));
}
const byId = new Map(identities.map((i) => [i.id, i]));
const issuer = `http://${args.host}:${args.port}`;
const rps = args.rp.length ? args.rp : ['http://127.0.0.1:8000'];

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// A company person typed on the login page (any CVR): the subject is derived from CVR and name,
// so the same typed person is the same person next time.
function typedCompanyPerson(cvr, name, loa) {
  const id = 'typed-' + crypto.createHash('sha256').update(`${cvr}|${name}`).digest('hex').slice(0, 16);
  return {
    id,
    label: name,
    claims: {
      name,
      [conf.claims_map.cvr]: cvr,
      [conf.claims_map.org_name]: `Virksomhed med CVR ${cvr}`,
      [conf.claims_map.full_name]: name,
      [conf.claims_map.person]: crypto.createHash('sha256').update(id).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
      [conf.claims_map.loa]: loa || 'Substantial',
    },
  };
}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `${args.instance}-${Date.now()}`, use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: conf.client_id,
    client_secret: conf.client_secret,
    redirect_uris: rps.map((rp) => rp.replace(/\/$/, '') + conf.redirect_path),
    post_logout_redirect_uris: rps.map((rp) => rp.replace(/\/$/, '') + conf.post_logout_path),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  claims: conf.scopes,
  // The broker passes the OIOSAML attributes in the ID token itself, as the municipalities' brokers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    // The provider's own sign-out pages in Danish (the library's defaults are English and load a web font).
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = shell('Log ud', `<h1>Vil du også logge ud af ${esc(conf.title)}?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, log mig ud</button>
<button type="submit" form="op.logoutForm">Nej, forbliv logget ind</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = shell('Logget ud', '<h1>Du er logget ud</h1><p>Du kan lukke vinduet.</p>');
      },
    },
  },
  ttl: {
    // An identity may carry a short ID-token lifetime (tests of an expired token).
    IdToken: (ctx, token) => byId.get(token?.available?.sub)?.id_token_ttl ?? 3600,
    Session: 3600, Interaction: 600, AuthorizationCode: 60, Grant: 3600, AccessToken: 600,
  },
  async findAccount(ctx, id) {
    const identity = byId.get(id);
    if (!identity) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...identity.claims }; } };
  },
  // Jobbro is the provider's own first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const found = grantId && await ctx.oidc.provider.Grant.find(grantId);
    if (found) return found;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

function shell(title, body) {
  return `<!doctype html><html lang="da"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
button{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem;text-align:left;cursor:pointer}
.note{background:#fff3cd;padding:.5rem 1rem}</style></head><body>
<p class="note">Udviklingsudbyder – kun til test og demo. ${esc(conf.title)}</p>${body}</body></html>`;
}

function page(res, title, body, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(shell(title, body));
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 'Fejl', '<p>Ukendt login.</p>', 400);
  if (req.method === 'GET' && !action) {
    const buttons = identities.filter((i) => !i.in_list).map((i) => `<form method="post" action="/interaction/${esc(uid)}/login">
<input type="hidden" name="identity" value="${esc(i.id)}"><button type="submit">${esc(i.label)}</button></form>`).join('\n');
    // Many identities (a person per demo company) are offered in a list instead of a button each.
    const listed = identities.filter((i) => i.in_list);
    const list = listed.length ? `<form method="post" action="/interaction/${esc(uid)}/login">
<label>Testperson i en anden virksomhed <select name="identity">${listed.map((i) => `<option value="${esc(i.id)}">${esc(i.label)}</option>`).join('')}</select></label>
<button type="submit">Log ind som den valgte</button></form>` : '';
    const typed = conf.allow_typed ? `<h2>Anden virksomhed</h2>
<form method="post" action="/interaction/${esc(uid)}/login">
<label>CVR-nummer <input name="cvr" inputmode="numeric" pattern="[0-9]{8}" required></label>
<label>Navn <input name="name" required></label>
<label>Sikringsniveau <select name="loa"><option>Substantial</option><option>High</option><option>Low</option></select></label>
<button type="submit">Log ind som denne person</button></form>` : '';
    return page(res, conf.title, `<h1>${esc(conf.title)}</h1><p>Vælg en testperson:</p>${buttons}${list}${typed}
<form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit">Afbryd</button></form>`);
  }
  if (req.method === 'POST' && action === '/abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'Login afbrudt' },
      { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === '/login') {
    const form = await readForm(req);
    let identity = byId.get(form.get('identity'));
    if (!identity && conf.allow_typed && /^\d{8}$/.test(form.get('cvr') || '') && form.get('name')) {
      identity = typedCompanyPerson(form.get('cvr'), form.get('name').slice(0, 100), form.get('loa'));
      identities.push(identity);
      byId.set(identity.id, identity);
    }
    if (!identity) return page(res, 'Fejl', '<p>Vælg en testperson.</p>', 400);
    if (identity.active === false) {
      // A person deactivated at the provider: the provider itself refuses, as Entra ID does.
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'Brugeren er deaktiveret' },
        { mergeWithLastSubmission: false });
    }
    return provider.interactionFinished(req, res, { login: { accountId: identity.id } }, { mergeWithLastSubmission: false });
  }
  return page(res, 'Fejl', '<p>Ukendt handling.</p>', 405);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = /^\/interaction\/([^/?]+)(\/login|\/abort)?(?:\?.*)?$/.exec(req.url);
  if (!match) return callback(req, res);
  try {
    return await interaction(req, res, match[1], match[2]);
  } catch (err) {
    console.error(err);
    return page(res, 'Fejl', `<p>${esc(err.message)}</p>`, 400);
  }
});
server.listen(Number(args.port), args.host, () => {
  console.log(`oidc-dev ${args.instance} listening on ${issuer} (client ${conf.client_id}; RP ${rps.join(', ')})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
