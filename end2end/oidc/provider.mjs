// A certified OpenID provider (npm's oidc-provider) on loopback, for the browser tests:
//   node oidc/provider.mjs PORT REDIRECT_URI
// One client, `roster` / `roster-client-secret`, whose redirect URI is Roster's callback.
// Its development login form takes any login: the login is the subject and the address.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'roster',
    client_secret: 'roster-client-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
  },
  // The address in the ID token itself (Roster reads no userinfo).
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: sub,
          email_verified: true,
          given_name: sub.split('@')[0],
          family_name: 'Company',
        };
      },
    };
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['roster-e2e-cookie-key-0123456789'] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
