/**
 * A small token service for integration tests, issuing JWTs that a REAL distribution registry
 * verifies (distribution auth/token.md): ES256 tokens signed with a key generated at start-up,
 * published to the registry as a JWKS file (config `auth.token.jwks`), with `iss`, `aud`
 * (= service), `exp`/`nbf`/`iat`, `jti` and the granted `access` list.
 *
 * It implements GET `/token?service&scope…[&offline_token=true&client_id=…]` (anonymous or
 * Basic) and POST `/token` (OAuth2 form, `grant_type=password|refresh_token`), and records every
 * request so tests can assert on the auth flow.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

export interface TokenUser {
  password: string;
  /** Actions this user may have on a repository (e.g. ['pull','push','delete']). */
  actions: (repository: string) => string[];
}

export interface TokenServerOptions {
  /** Directory for the JWKS file. */
  dir: string;
  users: Record<string, TokenUser>;
  /** Actions anyone gets without credentials (default: none). */
  anonymous?: (repository: string) => string[];
  /** Which field carries the token: `token`, `access_token`, or both (default both). */
  tokenField?: 'token' | 'access_token' | 'both';
  /** Lifetime in seconds; `undefined` omits `expires_in` (clients must assume 60 s). Default 300. */
  expiresIn?: number | undefined;
}

export interface TokenRequestRecord {
  method: string;
  grant: 'anonymous' | 'basic' | 'password' | 'refresh_token' | 'rejected';
  user?: string;
  scopes: string[];
  offline: boolean;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  jwksPath: string;
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${b64url(signature)}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const kid = randomBytes(8).toString('hex');
  const jwksPath = path.join(options.dir, 'jwks.json');
  await writeFile(jwksPath, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }));
  const service = 'signet-test-registry';
  const issuer = 'signet-test-token-issuer';
  const requests: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token → user

  const grantFor = (user: string | undefined, scopes: string[]) => {
    const access: Array<{ type: string; name: string; actions: string[] }> = [];
    for (const scope of scopes) {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      const type = scope.slice(0, first);
      const name = scope.slice(first + 1, last);
      if (type !== 'repository') continue;
      const wanted = scope.slice(last + 1).split(',');
      const allowed = user ? options.users[user]!.actions(name) : (options.anonymous?.(name) ?? []);
      const actions = wanted.filter((a) => allowed.includes(a));
      if (actions.length > 0) access.push({ type, name, actions });
    }
    return access;
  };

  const answer = (res: ServerResponse, user: string | undefined, scopes: string[], refresh: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const omitExpiry = 'expiresIn' in options && options.expiresIn === undefined;
    const lifetime = options.expiresIn ?? (omitExpiry ? 60 : 300);
    const token = jwt(key, kid, {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + lifetime,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access: grantFor(user, scopes)
    });
    const body: Record<string, unknown> = {};
    const field = options.tokenField ?? 'both';
    if (field !== 'access_token') body.token = token;
    if (field !== 'token') body.access_token = token;
    if (!omitExpiry) body.expires_in = lifetime;
    body.issued_at = new Date(now * 1000).toISOString();
    if (refresh && user) {
      const rt = randomBytes(24).toString('base64url');
      refreshTokens.set(rt, user);
      body.refresh_token = rt;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const reject = (res: ServerResponse, record: Omit<TokenRequestRecord, 'grant'>) => {
    requests.push({ ...record, grant: 'rejected' });
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'invalid credentials' }));
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      if (req.method === 'GET') {
        const scopes = url.searchParams.getAll('scope');
        const offline = url.searchParams.get('offline_token') === 'true';
        const authz = req.headers.authorization;
        if (authz?.startsWith('Basic ')) {
          const [user, ...rest] = Buffer.from(authz.slice(6), 'base64').toString('utf8').split(':');
          const password = rest.join(':');
          if (!user || options.users[user]?.password !== password) return reject(res, { method: 'GET', scopes, offline, ...(user ? { user } : {}) });
          requests.push({ method: 'GET', grant: 'basic', user, scopes, offline });
          return answer(res, user, scopes, offline);
        }
        requests.push({ method: 'GET', grant: 'anonymous', scopes, offline });
        return answer(res, undefined, scopes, false);
      }
      if (req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
        const grant = form.get('grant_type');
        if (grant === 'refresh_token') {
          const user = refreshTokens.get(form.get('refresh_token') ?? '');
          if (!user) return reject(res, { method: 'POST', scopes, offline: false });
          requests.push({ method: 'POST', grant: 'refresh_token', user, scopes, offline: false });
          return answer(res, user, scopes, true);
        }
        if (grant === 'password') {
          const user = form.get('username') ?? '';
          if (options.users[user]?.password !== form.get('password')) return reject(res, { method: 'POST', scopes, offline: false, user });
          requests.push({ method: 'POST', grant: 'password', user, scopes, offline: false });
          return answer(res, user, scopes, form.get('access_type') === 'offline');
        }
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"unsupported_grant_type"}');
        return;
      }
      res.writeHead(405).end();
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    jwksPath,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
