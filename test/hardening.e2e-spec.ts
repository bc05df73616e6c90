import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type pg from 'pg';
import { ENVELOPE_MEDIA_TYPE, INBOUND_PATH, ROUTING_HEADERS } from '#libs/envelope';
import { accountName, LocalNetwork, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';
import type { SubmissionAccepted } from '#libs/messaging';
import { api, as, nodeDatabase, waitFor } from './support/network.js';

/*
 * Nothing unauthenticated is expensive, across real processes: junk posts never block a genuine
 * peer (limits keyed per client address behind a trusted proxy, and per verified sender), the
 * peer endpoint tells nothing of message ids before authentication, every JSON body is bounded
 * before validation, anonymous refusals are aggregated in the audit trail, and identity-provider
 * tokens are matched on issuer and subject.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const UNVERIFIED_LIMIT = 30;
const REFUSAL_WINDOW_SECONDS = 2;
const IDP_PORT = 4289;
const IDP = `http://127.0.0.1:${IDP_PORT}`;

type ApiError = { error: { code: string; details: Array<Record<string, unknown>> } };

describe('hardening across real processes', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  let idp: Server;
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    idpKey = privateKey;
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256' }],
    });
    idp = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks),
    );
    await new Promise<void>((resolve) => idp.listen(IDP_PORT, '127.0.0.1', resolve));
    network = await LocalNetwork.create({
      name: 'e2e_hardening',
      workDir: join(tmpdir(), 'gateway-e2e-hardening'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4281,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit, Federal Ministry of Justice',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4282,
        },
      ],
      env: {
        LOG_LEVEL: 'warn',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        // The test runner stands for a reverse proxy on loopback: its X-Forwarded-For counts.
        GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
        GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED: String(UNVERIFIED_LIMIT),
        GATEWAY_AUDIT_REFUSAL_WINDOW_SECONDS: String(REFUSAL_WINDOW_SECONDS),
        GATEWAY_OIDC_ISSUER: IDP,
        GATEWAY_OIDC_JWKS_URL: `${IDP}/jwks.json`,
        GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP: 'true',
      },
    });
    await network.createAccounts(FR, [
      {
        username: 'oidc.user',
        roles: ['monitor'],
        externalIdentity: { issuer: IDP, subject: 'sub-7f3a' },
      },
      { username: 'oidc.other', roles: ['supervisor'] },
    ]);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
  });

  afterAll(async () => {
    await frDb?.end();
    await network?.stopAll();
    await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  });

  const junk = (headers: Record<string, string>, messageId?: string) =>
    api<ApiError>(`${network.url(FR)}${INBOUND_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': ENVELOPE_MEDIA_TYPE,
        [ROUTING_HEADERS.recipient]: FR,
        ...(messageId && { [ROUTING_HEADERS.messageId]: messageId }),
        ...headers,
      },
      body: 'not an envelope',
    });

  /** Audit entries of an event from one client address: those in full, and the counted rest. */
  async function refusalsFrom(event: string, address: string) {
    const { rows } = await frDb.query<{ details: { aggregated?: boolean; count?: number } }>(
      `select details from audit_log where event = $1 and details->>'remoteAddress' = $2`,
      [event, address],
    );
    const full = rows.filter((r) => !r.details.aggregated).length;
    const counted = rows.reduce((sum, r) => sum + (r.details.count ?? 0), 0);
    return { rows: rows.length, total: full + counted };
  }

  it('never lets junk posts block a genuine, verified peer', async () => {
    const floods: Array<Record<string, string>> = [
      // Junk claiming NG, from another client behind the trusted proxy.
      { [ROUTING_HEADERS.sender]: NG, 'x-forwarded-for': '203.0.113.9' },
      // Junk from the very address the genuine peer posts from, under senders nobody knows.
      { [ROUTING_HEADERS.sender]: 'XX-JUNK-1' },
    ];
    for (const headers of floods) {
      const statuses: number[] = [];
      for (let i = 0; i < UNVERIFIED_LIMIT + 5; i++) statuses.push((await junk(headers)).status);
      expect(statuses.slice(0, UNVERIFIED_LIMIT).every((s) => s === 400)).toBe(true);
      expect(statuses.slice(UNVERIFIED_LIMIT)).toEqual(Array(5).fill(429));
    }
    // NG's genuine deliveries, from 127.0.0.1 and verified, go through.
    const sent = await api<SubmissionAccepted>(`${network.url(NG)}/api/v1/messages`, {
      method: 'POST',
      headers: await as(network, NG, 'supervisor'),
      body: JSON.stringify({
        procedure: 'mla',
        messageType: 'request',
        recipients: [FR],
        caseReference: 'NG-HARD-2026-1',
        handling: SAMPLE_HANDLING,
        body: mlaRequest(NG),
      }),
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => {
      const { body } = await api<{ status: string }>(
        `${network.url(NG)}/api/v1/messages/${sent.body.messages[0].messageId}`,
        { headers: await as(network, NG, 'supervisor') },
      );
      return body.status === 'delivered';
    }, 'the delivery to FR despite the floods');
    // The floods' first refusal of each window is audited in full, the others counted.
    const { rows } = await frDb.query<{ details: { budget: string } }>(
      `select details from audit_log where event = 'rate.limited'`,
    );
    expect(rows.map((r) => r.details.budget)).toEqual(['unverified posts', 'unverified posts']);
  });

  it('tells an unauthenticated caller nothing about which message ids exist', async () => {
    const { rows } = await frDb.query<{ id: string }>(`select id from messages limit 1`);
    expect(rows).toHaveLength(1);
    const elsewhere = { [ROUTING_HEADERS.sender]: NG, 'x-forwarded-for': '203.0.113.50' };
    const existing = await junk(elsewhere, rows[0].id);
    const missing = await junk(elsewhere, '01900000-0000-7000-8000-00000000beef');
    expect([existing.status, existing.body.error.code]).toEqual([400, 'ENVELOPE_MALFORMED']);
    expect([missing.status, missing.body.error.code]).toEqual([400, 'ENVELOPE_MALFORMED']);
  });

  it('bounds every JSON body before validation, with its own codes and never a 500', async () => {
    const headers = await as(network, FR, 'supervisor');
    const post = (path: string, body: string, method = 'POST') =>
      api<ApiError>(`${network.url(FR)}${path}`, { method, headers, body });
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const expectations: Array<[string, string, string, number, string]> = [
      ['POST', '/api/v1/messages', deepArray, 422, 'BODY_TOO_DEEP'],
      ['PUT', '/api/v1/cases/FR-X-1/facts', deepObject, 422, 'BODY_TOO_DEEP'],
      [
        'POST',
        '/api/v1/messages',
        JSON.stringify({ x: 'a'.repeat(1_100_000) }),
        413,
        'BODY_TOO_LARGE',
      ],
      ['POST', '/api/v1/policy/explain', '{"procedure": ', 400, 'BODY_MALFORMED'],
      ['POST', '/api/v1/messages', '{"constructor": {"name": 1}}', 400, 'BODY_MALFORMED'],
    ];
    for (const [method, path, body, status, code] of expectations) {
      const answer = await post(path, body, method);
      expect([path, answer.status, answer.body.error.code]).toEqual([path, status, code]);
    }
    // Whatever JSON arrives, the answer is a stated refusal (or an acceptance), never a fault.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/messages', '/api/v1/policy/explain', '/api/v1/cases/FR-X-2/facts'),
        fc.jsonValue({ maxDepth: 40 }),
        async (path, value) => {
          const method = path.endsWith('/facts') ? 'PUT' : 'POST';
          const answer = await post(path, JSON.stringify(value), method);
          expect([path, answer.status]).toEqual([path, expect.any(Number)]);
          expect(answer.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('aggregates anonymous refusals per address and code, and keeps an actor’s one by one', async () => {
    for (let i = 0; i < 40; i++) {
      const answer = await fetch(`${network.url(FR)}/api/v1/me`, {
        headers: { 'x-forwarded-for': '203.0.113.77' },
      });
      expect(answer.status).toBe(401);
    }
    for (let i = 0; i < 3; i++) {
      const answer = await api(`${network.url(FR)}/api/v1/requests`, {
        headers: await as(network, FR, 'monitor'),
      });
      expect(answer.status).toBe(403);
    }
    // Counted refusals reach the trail once their window has closed.
    const anonymous = await waitFor(
      async () => {
        const seen = await refusalsFrom('access.denied', '203.0.113.77');
        return seen.total === 40 && seen;
      },
      'the count of the anonymous refusals',
      20_000,
    );
    // One entry in full and one count per window of 2 s: a handful, not 40.
    expect(anonymous.rows).toBeLessThanOrEqual(8);
    // The junk posts of the first test: each refusal accounted for, in a handful of entries.
    const posts = await waitFor(
      async () => {
        const seen = await refusalsFrom('message.rejected', '203.0.113.9');
        return seen.total === UNVERIFIED_LIMIT && seen;
      },
      'the count of the junk posts',
      20_000,
    );
    expect(posts.rows).toBeLessThan(UNVERIFIED_LIMIT / 2);
    const { rows } = await frDb.query(
      `select 1 from audit_log where event = 'access.denied' and actor = $1`,
      [`${accountName(FR, 'monitor')}@${FR}`],
    );
    expect(rows).toHaveLength(3);
  });

  it('matches identity-provider tokens on issuer and subject, never on a display name', async () => {
    const token = (subject: string, displayName: string) =>
      new SignJWT({ preferred_username: displayName })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer(IDP)
        .setAudience('gateway-api')
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(idpKey);
    const me = async (bearer: string) =>
      api<{ username: string } & ApiError>(`${network.url(FR)}/api/v1/me`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    // The subject names oidc.user, whatever name the token shows.
    const matched = await me(await token('sub-7f3a', 'oidc.other'));
    expect([matched.status, matched.body.username]).toEqual([200, 'oidc.user']);
    // Another subject claiming oidc.user's (or the supervisor's) name is nobody here.
    for (const name of ['oidc.user', 'oidc.other']) {
      const refused = await me(await token('sub-somebody-else', name));
      expect([refused.status, refused.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });
});
