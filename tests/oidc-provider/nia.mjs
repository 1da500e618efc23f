// An OpenID provider that behaves as NIA's OpenID Connect profile does, for
// Obcan's tests: discovery at /fpsts/oidc/openid-configuration, the issuer
// urn:microsoft:cgg2010:fpsts, client_secret_post, no PKCE, options as scopes,
// attributes only through the `claims` parameter, an ID token without `sub`
// that is signed and then encrypted (RSA-OAEP, A256CBC-HS512) to the portal's
// certificate, and an empty userinfo. It checks the portal's requests as
// strictly as it can, and tampers with its answer as MODE says; MODE=valid
// answers correctly, which proves that each failure comes from the tampering.
//   PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (one or more, comma-separated), MODE
//   from the environment
//   PORTAL_CERTIFICATE   PEM file of the certificate the portal registered
// Prints "ready <discovery URL>" when it listens.
import { createServer } from 'node:http';
import { X509Certificate, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CompactEncrypt, SignJWT, base64url, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.PORT);
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
const redirectUris = process.env.REDIRECT_URI.split(',');
const mode = process.env.MODE ?? 'valid';
const base = `http://127.0.0.1:${port}/fpsts/oidc`;
const issuer = 'urn:microsoft:cgg2010:fpsts';

const MODES = ['valid', 'wrong_key', 'bad_tag', 'wrong_enc', 'bad_inner_signature', 'wrong_issuer',
  'expired', 'wrong_nonce', 'plain_jws', 'no_identifier'];
if (!MODES.includes(mode)) throw new Error(`unknown MODE ${mode}`);

const portalKey = new X509Certificate(readFileSync(process.env.PORTAL_CERTIFICATE)).publicKey;
const signing = await generateKeyPair('RS256');
const impostor = await generateKeyPair('RS256');
const stranger = await generateKeyPair('RSA-OAEP');
const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'nia-1', alg: 'RS256', use: 'sig' };

const LEVELS = { loalow: 'low', loasubstantial: 'substantial', loahigh: 'high' };
const codes = new Map();

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

// What is wrong with an authorization request, if anything.
function refusal(params) {
  if (params.get('client_id') !== clientId) return 'unknown client_id';
  if (!redirectUris.includes(params.get('redirect_uri'))) return 'unregistered redirect_uri';
  if (params.get('response_type') !== 'code') return 'response_type must be code';
  if (params.has('code_challenge')) return 'PKCE is not supported';
  const scopes = (params.get('scope') ?? '').split(' ');
  for (const wanted of ['openid', 'forceauthn']) {
    if (!scopes.includes(wanted)) return `scope ${wanted} missing`;
  }
  if (scopes.filter((scope) => scope in LEVELS).length !== 1) return 'exactly one LoA scope';
  if (scopes.filter((scope) => scope === 'publicsector' || scope === 'privatesector').length !== 1) {
    return 'exactly one sector scope';
  }
  if (scopes.includes('profile')) return 'scope profile is not supported';
  let claims;
  try {
    claims = JSON.parse(params.get('claims') ?? 'null');
  } catch {
    return 'claims is not JSON';
  }
  for (const name of ['PersonIdentifier', 'CurrentGivenName', 'CurrentFamilyName', 'DateOfBirth']) {
    if (!claims?.id_token || !(name in claims.id_token)) return `claims.id_token.${name} missing`;
  }
  return null;
}

async function idToken({ nonce, level }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: mode === 'wrong_issuer' ? 'urn:someone:else' : issuer,
    aud: clientId,
    iat: mode === 'expired' ? now - 3600 : now,
    exp: mode === 'expired' ? now - 1800 : now + 300,
    nonce: mode === 'wrong_nonce' ? 'not-the-nonce' : nonce,
    acr: `http://eidas.europa.eu/LoA/${level}`,
  };
  // A person who declines to release their data gets a token without it.
  if (mode !== 'no_identifier') {
    Object.assign(claims, {
      PersonIdentifier: 'CZ/CZ/4f2b9c1e-7d3a-4e8b-9a61-0c5d2e7f8a90',
      CurrentGivenName: 'Jana',
      CurrentFamilyName: 'Dvořáková',
      DateOfBirth: '1984-03-07',
    });
  }
  const signer = mode === 'bad_inner_signature' ? impostor.privateKey : signing.privateKey;
  const jws = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'nia-1' }).sign(signer);
  if (mode === 'plain_jws') return jws;
  const enc = mode === 'wrong_enc' ? 'A128GCM' : 'A256CBC-HS512';
  const recipient = mode === 'wrong_key' ? stranger.publicKey : portalKey;
  const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc, cty: 'JWT' })
    .encrypt(recipient);
  if (mode !== 'bad_tag') return jwe;
  const parts = jwe.split('.');
  const tag = base64url.decode(parts[4]);
  tag[0] ^= 1;
  parts[4] = base64url.encode(tag);
  return parts.join('.');
}

createServer(async (request, response) => {
  const url = new URL(request.url, base);
  if (url.pathname === '/fpsts/oidc/openid-configuration') {
    return json(response, 200, {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/endsession`,
      jwks_uri: `${base}/openid-configuration-jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      scopes_supported: ['openid', 'forceauthn', 'publicsector', 'privatesector', ...Object.keys(LEVELS)],
      claims_supported: ['PersonIdentifier', 'CurrentGivenName', 'CurrentFamilyName', 'DateOfBirth',
        'CurrentAddress', 'eMail'],
      claims_parameter_supported: true,
    });
  }
  if (url.pathname === '/fpsts/oidc/openid-configuration-jwks') {
    return json(response, 200, { keys: [jwk] });
  }
  if (url.pathname === '/fpsts/oidc/authorize') {
    // No login page: everyone is the same person here.
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('state', url.searchParams.get('state'));
    const problem = refusal(url.searchParams);
    if (problem) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', problem);
    } else {
      const code = randomBytes(16).toString('hex');
      const scopes = url.searchParams.get('scope').split(' ');
      codes.set(code, {
        nonce: url.searchParams.get('nonce'),
        level: LEVELS[scopes.find((scope) => scope in LEVELS)],
      });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() });
    return response.end();
  }
  if (url.pathname === '/fpsts/oidc/token' && request.method === 'POST') {
    let body = '';
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body);
    // client_secret_post only: the credentials in the body, never in a header.
    if (request.headers.authorization || form.get('client_id') !== clientId
        || form.get('client_secret') !== clientSecret) {
      return json(response, 401, { error: 'invalid_client' });
    }
    const login = codes.get(form.get('code'));
    if (form.get('grant_type') !== 'authorization_code' || !login
        || !redirectUris.includes(form.get('redirect_uri'))) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    codes.delete(form.get('code'));
    return json(response, 200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: await idToken(login),
    });
  }
  if (url.pathname === '/fpsts/oidc/userinfo') return json(response, 200, {});
  json(response, 404, { error: 'not_found' });
}).listen(port, '127.0.0.1', () => console.log(`ready ${base}/openid-configuration`));
