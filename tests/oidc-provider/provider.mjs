// A real OpenID provider (the certified `oidc-provider`) for Obcan's tests.
//   PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI   from the environment (REDIRECT_URI: one or
//   more, separated by commas)
// After RP-initiated logout it returns people to the first REDIRECT_URI's site root.
// Accounts: any login name is an account; its claims come from ACCOUNTS below,
// or a generic person. Prints "ready <issuer>" when it listens.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  'jana': { given_name: 'Jana', family_name: 'Dvořáková', birthdate: '1984-03-07', email: 'jana@example.test', email_verified: true },
  'petr': { given_name: 'Petr', family_name: 'Novák', birthdate: '1956-11-21', email: 'petr@example.test', email_verified: true },
  // A person the provider knows nothing about: no name at all.
  'nameless': {},
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URI.split(','),
    post_logout_redirect_uris: [new URL('/', process.env.REDIRECT_URI.split(',')[0]).href],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'birthdate'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(ACCOUNTS[id] ?? { given_name: 'Test', family_name: id }) };
      },
    };
  },
  // Claims in the ID token too, so that a provider without userinfo works.
  conformIdTokenClaims: false,
  cookies: { keys: ['obcan-test-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
