// oauth2-mock-server (npm) on loopback, for refusals: it signs ID tokens and hands out a
// code at once, and the test makes each token wrong on purpose.
//   node oidc/mock.mjs PORT          control: GET http://127.0.0.1:PORT+1/mode?mode=M&email=E
// Modes: good, wrong-issuer, wrong-audience, expired, wrong-nonce, bad-signature, unsigned.
import http from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2]);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(port, '127.0.0.1');
// The issuer as Roster is told it (discovery must name exactly this issuer).
server.issuer.url = `http://127.0.0.1:${port}`;
let mode = 'good';
let email = 'someone@example.com';

server.service.on('beforeTokenSigning', (token) => {
  const now = Math.floor(Date.now() / 1000);
  token.payload.sub = email;
  token.payload.email = email;
  switch (mode) {
    case 'wrong-issuer': token.payload.iss = 'http://127.0.0.1:9/another-issuer'; break;
    case 'wrong-audience': token.payload.aud = 'another-client'; break;
    case 'expired': token.payload.iat = now - 7200; token.payload.nbf = now - 7200; token.payload.exp = now - 3600; break;
    case 'wrong-nonce': token.payload.nonce = 'not-the-nonce-of-this-sign-in'; break;
    default: break;
  }
});
server.service.on('beforeResponse', (response) => {
  const idToken = response.body?.id_token;
  if (!idToken) return;
  const [header, payload, signature] = idToken.split('.');
  if (mode === 'bad-signature') {
    const flipped = signature[0] === 'A' ? 'B' : 'A';
    response.body.id_token = `${header}.${payload}.${flipped}${signature.slice(1)}`;
  } else if (mode === 'unsigned') {
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    response.body.id_token = `${none}.${payload}.`;
  }
});

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://control');
  mode = url.searchParams.get('mode') ?? mode;
  email = url.searchParams.get('email') ?? email;
  res.end(`mode ${mode} ${email}`);
}).listen(port + 1, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
