// A deliberately faulty OpenID provider, for the failures a real one never
// produces: it speaks the protocol (discovery, JWKS, authorize, token) but
// tampers with its answer as MODE says. MODE=valid answers correctly, which
// proves that each failure comes from the tampering alone.
//   PORT, CLIENT_ID, MODE    from the environment; prints "ready <issuer>".
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.PORT);
const clientId = process.env.CLIENT_ID;
const mode = process.env.MODE ?? 'valid';
const issuer = `http://127.0.0.1:${port}`;

const MODES = ['valid', 'rotated', 'bad-signature', 'wrong-issuer', 'wrong-audience', 'expired', 'wrong-nonce',
  'unsigned', 'no-id-token', 'token-error', 'slow'];
if (!MODES.includes(mode)) throw new Error(`unknown MODE ${mode}`);

const signing = await generateKeyPair('RS256');
const impostor = await generateKeyPair('RS256');
const successor = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
const successorJwk = { ...(await exportJWK(successor.publicKey)), kid: 'key-2', alg: 'RS256', use: 'sig' };
let keySetsServed = 0;
const rotated = () => mode === 'rotated' && keySetsServed > 0;
const codes = new Map();

function json(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function idToken(nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: mode === 'wrong-issuer' ? 'http://127.0.0.1:1' : issuer,
    aud: mode === 'wrong-audience' ? 'someone-else' : clientId,
    sub: 'tampered-1',
    iat: mode === 'expired' ? now - 3600 : now,
    exp: mode === 'expired' ? now - 1800 : now + 300,
    nonce: mode === 'wrong-nonce' ? 'not-the-nonce' : nonce,
    given_name: 'Eva',
    family_name: 'Zkušební',
  };
  if (mode === 'unsigned') return new UnsecuredJWT(claims).encode();
  if (rotated()) {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'key-2' }).sign(successor.privateKey);
  }
  const key = mode === 'bad-signature' ? impostor.privateKey : signing.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).sign(key);
}

createServer(async (request, response) => {
  const url = new URL(request.url, issuer);
  if (url.pathname === '/.well-known/openid-configuration') {
    return json(response, 200, {
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }
  if (url.pathname === '/jwks') {
    const keys = rotated() ? [successorJwk] : [jwk];
    keySetsServed += 1;
    return json(response, 200, { keys });
  }
  if (url.pathname === '/auth') {
    // No login page: everyone is the same person here.
    const code = randomBytes(16).toString('hex');
    codes.set(code, url.searchParams.get('nonce'));
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state'));
    response.writeHead(302, { location: back.toString() });
    return response.end();
  }
  if (url.pathname === '/token' && request.method === 'POST') {
    let body = '';
    for await (const chunk of request) body += chunk;
    const code = new URLSearchParams(body).get('code');
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 30_000));
    if (mode === 'token-error' || !codes.has(code)) return json(response, 400, { error: 'invalid_grant' });
    const nonce = codes.get(code);
    codes.delete(code);
    const tokens = { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300 };
    if (mode !== 'no-id-token') tokens.id_token = await idToken(nonce);
    return json(response, 200, tokens);
  }
  json(response, 404, { error: 'not_found' });
}).listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
