import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { ROLES, type Role } from '#libs/access';
import type { RequestDetail, RequestView } from '#libs/cases';
import { ENVELOPE_MEDIA_TYPE, ROUTING_HEADERS } from '#libs/envelope';
import {
  accountName,
  LocalNetwork,
  mlaRequest,
  MLA_ANSWERS,
  SAMPLE_HANDLING,
} from '#tools/local-network';
import type { MessageView, SubmissionAccepted } from '#libs/messaging';
import { api, as, nodeDatabase, waitFor } from './support/network.js';

/*
 * Who may do what, across real processes: every role against every endpoint of a real gateway,
 * and two authorities served by one node (a hub) that never see each other's cases.
 */

const FR = 'FR-MOJ-BEPI';
/** A second French authority served by the same node. */
const PNAT = 'FR-PNAT-PARIS';
const NG = 'NG-MOJ-CA';
const RATE_PER_USER = 150;
const RATE_PER_PEER = 40;

type ApiError = {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
};

const CASEWORK: Role[] = [
  'central-authority-officer',
  'supervisor',
  'liaison-officer',
  'repatriation-officer',
  'asset-recovery-officer',
];

/** Case facts: the caseworkers and supervisors, and the asylum authority for the asylum facts. */
const FACTS: Role[] = [...CASEWORK, 'asylum-authority-officer'];

const NOBODY_ID = '01900000-0000-7000-8000-000000000000';

/** Evidence files: the caseworkers (supervisors among them) upload and read them. */
const UPLOADERS = CASEWORK;
const TUS = { 'tus-resumable': '1.0.0' };

/**
 * The expected matrix, written out independently of the permission table it checks: each endpoint,
 * the roles that may call it, and what a permitted call with these (deliberately empty or unknown)
 * inputs answers. Everyone else gets 403 PERMISSION_DENIED.
 */
const ENDPOINTS: Array<{
  method: string;
  path: string;
  body?: unknown;
  roles: readonly Role[];
  granted: number;
  /** Where a role's scope changes the answer: a liaison officer sees only their JITs' cases. */
  grantedAs?: Partial<Record<Role, number>>;
  stream?: boolean;
  /** Open without a credential (the console's sign-in takes its credential in the body). */
  public?: boolean;
  /** Protocol headers a call needs to reach the handler (tus). */
  headers?: Record<string, string>;
  /** Not in the OpenAPI document: a UI of its own (the queue dashboard), not an API. */
  unpublished?: boolean;
}> = [
  { method: 'GET', path: '/api/v1/me', roles: ROLES, granted: 200 },
  { method: 'GET', path: '/api/v1/me/notifications', roles: ROLES, granted: 200 },
  { method: 'PUT', path: '/api/v1/me/notifications', body: {}, roles: ROLES, granted: 200 },
  // The officer console's session: sign-in, the current session, sign-out.
  { method: 'POST', path: '/api/v1/session', body: {}, roles: ROLES, granted: 400, public: true },
  { method: 'GET', path: '/api/v1/session', roles: ROLES, granted: 200 },
  { method: 'DELETE', path: '/api/v1/session', roles: ROLES, granted: 204 },
  { method: 'POST', path: '/api/v1/messages', body: {}, roles: CASEWORK, granted: 400 },
  { method: 'GET', path: '/api/v1/messages', roles: CASEWORK, granted: 200 },
  { method: 'GET', path: `/api/v1/messages/${NOBODY_ID}`, roles: CASEWORK, granted: 404 },
  { method: 'POST', path: `/api/v1/messages/${NOBODY_ID}/read`, roles: CASEWORK, granted: 404 },
  // A file received with a message (issue 12): the position is read before the message is looked up.
  {
    method: 'GET',
    path: `/api/v1/messages/${NOBODY_ID}/attachments/{position}`,
    roles: CASEWORK,
    granted: 400,
  },
  {
    method: 'POST',
    path: `/api/v1/messages/${NOBODY_ID}/forward`,
    body: {},
    roles: CASEWORK,
    granted: 400,
  },
  {
    method: 'POST',
    path: `/api/v1/messages/${NOBODY_ID}/forward/explain`,
    body: {},
    roles: CASEWORK,
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/held-submissions', roles: CASEWORK, granted: 200 },
  { method: 'GET', path: `/api/v1/held-submissions/${NOBODY_ID}`, roles: CASEWORK, granted: 404 },
  // Submissions refused only for warnings: supervisors decide them, their submitters read them.
  {
    method: 'GET',
    path: '/api/v1/supervision/submissions',
    roles: ['supervisor'] as Role[],
    granted: 200,
  },
  {
    method: 'GET',
    path: `/api/v1/supervision/submissions/${NOBODY_ID}`,
    roles: ['supervisor'] as Role[],
    granted: 404,
  },
  {
    method: 'POST',
    path: `/api/v1/supervision/submissions/${NOBODY_ID}/acknowledge`,
    body: {},
    roles: ['supervisor'] as Role[],
    granted: 400,
  },
  {
    method: 'POST',
    path: `/api/v1/supervision/submissions/${NOBODY_ID}/decline`,
    body: {},
    roles: ['supervisor'] as Role[],
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/supervised-submissions', roles: CASEWORK, granted: 200 },
  {
    method: 'GET',
    path: `/api/v1/supervised-submissions/${NOBODY_ID}`,
    roles: CASEWORK,
    granted: 404,
  },
  {
    method: 'GET',
    path: `/api/v1/messages/${NOBODY_ID}/evidence`,
    roles: [...CASEWORK, 'auditor'],
    granted: 404,
  },
  // A sealed chunk of a file, for the evidence bundle: the numbers are read before the lookup.
  {
    method: 'GET',
    path: `/api/v1/messages/${NOBODY_ID}/evidence/attachments/{position}/chunks/{index}`,
    roles: [...CASEWORK, 'auditor'],
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/mailbox/events', roles: CASEWORK, granted: 200, stream: true },
  { method: 'GET', path: '/api/v1/requests', roles: CASEWORK, granted: 200 },
  { method: 'GET', path: `/api/v1/requests/${NOBODY_ID}`, roles: CASEWORK, granted: 404 },
  {
    method: 'POST',
    path: `/api/v1/requests/${NOBODY_ID}/messages`,
    body: {},
    roles: CASEWORK,
    granted: 400,
  },
  {
    method: 'POST',
    path: `/api/v1/requests/${NOBODY_ID}/withdraw`,
    body: {},
    roles: CASEWORK,
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/cases/NOBODY-1', roles: CASEWORK, granted: 404 },
  // Legal holds (README, Retention): supervisors only; an empty body is refused before the look-up.
  ...[
    ['PUT', `/api/v1/requests/${NOBODY_ID}/legal-hold`],
    ['POST', `/api/v1/requests/${NOBODY_ID}/legal-hold/release`],
    ['PUT', '/api/v1/cases/NOBODY-1/legal-hold'],
    ['POST', '/api/v1/cases/NOBODY-1/legal-hold/release'],
  ].map(([method, path]) => ({
    method,
    path,
    body: {},
    roles: ['supervisor'] as Role[],
    granted: 400,
  })),
  // Each sees the facts of their procedures, the asylum authority the asylum facts of all: a case
  // that does not exist and another procedure's case answer alike (S11).
  {
    method: 'GET',
    path: '/api/v1/cases/NOBODY-1/facts',
    roles: FACTS,
    granted: 200,
    grantedAs: { 'liaison-officer': 404 },
  },
  {
    method: 'GET',
    path: '/api/v1/cases/NOBODY-1/facts/history',
    roles: FACTS,
    granted: 200,
    grantedAs: { 'liaison-officer': 404 },
  },
  {
    method: 'PUT',
    path: '/api/v1/cases/NOBODY-1/facts',
    body: { unknown: true },
    roles: FACTS,
    granted: 400,
  },
  {
    method: 'PATCH',
    path: '/api/v1/cases/NOBODY-1/facts',
    body: { unknown: true },
    roles: FACTS,
    granted: 400,
  },
  { method: 'POST', path: '/api/v1/policy/explain', body: {}, roles: CASEWORK, granted: 400 },
  {
    method: 'POST',
    path: '/api/v1/register/entries',
    body: {},
    roles: ['asylum-authority-officer'],
    granted: 400,
  },
  {
    method: 'DELETE',
    path: `/api/v1/register/entries/${NOBODY_ID}`,
    roles: ['asylum-authority-officer'],
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/register', roles: ['asylum-authority-officer'], granted: 200 },
  {
    method: 'GET',
    path: '/api/v1/register/reviews',
    roles: ['asylum-authority-officer'],
    granted: 200,
  },
  {
    method: 'POST',
    path: `/api/v1/register/reviews/${NOBODY_ID}/confirm`,
    body: { reason: 'not this person' },
    roles: ['asylum-authority-officer'],
    granted: 404,
  },
  {
    method: 'POST',
    path: `/api/v1/register/reviews/${NOBODY_ID}/clear`,
    body: { reason: 'not this person' },
    roles: ['asylum-authority-officer'],
    granted: 404,
  },
  {
    method: 'GET',
    path: '/api/v1/directory',
    roles: [...CASEWORK, 'auditor', 'administrator'],
    granted: 200,
  },
  // The message types of one's procedures and their forms (generated from the body schemas).
  { method: 'GET', path: '/api/v1/procedures', roles: CASEWORK, granted: 200 },
  {
    method: 'GET',
    path: '/api/v1/directory/finder',
    roles: [...CASEWORK, 'auditor', 'administrator'],
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/audit', roles: ['auditor'], granted: 200 },
  { method: 'GET', path: '/api/v1/audit/verification', roles: ['auditor'], granted: 200 },
  { method: 'GET', path: '/api/v1/statistics', roles: ['monitor', 'supervisor'], granted: 200 },
  {
    method: 'GET',
    path: '/api/v1/statistics/indicators',
    roles: ['monitor', 'supervisor'],
    granted: 200,
  },
  { method: 'GET', path: '/metrics', roles: ['monitor', 'administrator'], granted: 200 },
  { method: 'GET', path: '/api/v1/users', roles: ['administrator'], granted: 200 },
  { method: 'POST', path: '/api/v1/users', body: {}, roles: ['administrator'], granted: 400 },
  {
    method: 'POST',
    path: '/api/v1/users/nobody/api-keys',
    body: { label: 'x' },
    roles: ['administrator'],
    granted: 400,
  },
  {
    method: 'POST',
    path: '/api/v1/users/nobody/disable',
    roles: ['administrator'],
    granted: 400,
  },
  {
    method: 'POST',
    path: '/api/v1/users/nobody/roles',
    body: { roles: ['monitor'] },
    roles: ['administrator'],
    granted: 400,
  },
  { method: 'GET', path: '/api/v1/role-grants', roles: ['administrator'], granted: 200 },
  // API keys of the authority's service accounts: listed without hash, revoked by id.
  { method: 'GET', path: '/api/v1/api-keys', roles: ['administrator'], granted: 200 },
  {
    method: 'POST',
    path: `/api/v1/api-keys/${NOBODY_ID}/revoke`,
    roles: ['administrator'],
    granted: 404,
  },
  // The delivery view (issue 13): supervisors may look, only administrators retry.
  {
    method: 'GET',
    path: '/api/v1/deliveries',
    roles: ['administrator', 'supervisor'],
    granted: 200,
  },
  {
    method: 'POST',
    path: `/api/v1/deliveries/${NOBODY_ID}/retry`,
    roles: ['administrator'],
    granted: 404,
  },
  // The queue dashboard (bull-board): its page and the JSON API the page polls.
  {
    method: 'GET',
    path: '/admin/queues',
    roles: ['administrator'],
    granted: 200,
    unpublished: true,
  },
  {
    method: 'GET',
    path: '/admin/queues/api/queues',
    roles: ['administrator'],
    granted: 200,
    unpublished: true,
  },
  // Evidence files: the tus protocol answers for itself once the permission table let the call in.
  { method: 'OPTIONS', path: '/api/v1/uploads', roles: UPLOADERS, granted: 204, headers: TUS },
  { method: 'POST', path: '/api/v1/uploads', roles: UPLOADERS, granted: 400, headers: TUS },
  {
    method: 'HEAD',
    path: `/api/v1/uploads/${NOBODY_ID}`,
    roles: UPLOADERS,
    granted: 404,
    headers: TUS,
  },
  {
    method: 'PATCH',
    path: `/api/v1/uploads/${NOBODY_ID}`,
    roles: UPLOADERS,
    granted: 404,
    headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
  },
  {
    method: 'DELETE',
    path: `/api/v1/uploads/${NOBODY_ID}`,
    roles: UPLOADERS,
    granted: 404,
    headers: TUS,
  },
  { method: 'GET', path: `/api/v1/uploads/${NOBODY_ID}`, roles: UPLOADERS, granted: 404 },
  { method: 'GET', path: `/api/v1/uploads/${NOBODY_ID}/content`, roles: UPLOADERS, granted: 404 },
  {
    method: 'POST',
    path: `/api/v1/role-grants/${NOBODY_ID}/approve`,
    roles: ['administrator'],
    granted: 404,
  },
  {
    method: 'POST',
    path: `/api/v1/role-grants/${NOBODY_ID}/refuse`,
    body: { reason: 'not needed' },
    roles: ['administrator'],
    granted: 404,
  },
];

describe('access control across real processes', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  const url = (authorityId: string, path: string) => `${network.url(authorityId)}${path}`;

  /** One call as a standard account; SSE streams are read up to their headers, then closed. */
  async function call<T = unknown>(
    authorityId: string,
    role: Role,
    method: string,
    path: string,
    body?: unknown,
    stream = false,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const headers = { ...(await as(network, authorityId, role)), ...extraHeaders };
    if (stream) {
      const controller = new AbortController();
      const response = await fetch(url(authorityId, path), {
        headers,
        signal: controller.signal,
      });
      // A refusal is an ordinary JSON answer; a granted stream is closed once it has begun.
      const refusal = response.ok ? undefined : ((await response.json()) as T);
      controller.abort();
      return { status: response.status, body: refusal as T };
    }
    return api<T>(url(authorityId, path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  const open = (authorityId: string, caseReference: string) =>
    call<SubmissionAccepted & ApiError>(authorityId, 'supervisor', 'POST', '/api/v1/messages', {
      procedure: 'mla',
      messageType: 'request',
      recipients: [NG],
      caseReference,
      handling: SAMPLE_HANDLING,
      body: mlaRequest(authorityId),
    });

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_access',
      workDir: join(tmpdir(), 'gateway-e2e-access'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4261,
          hosted: [
            {
              authorityId: PNAT,
              name: 'Parquet national antiterroriste',
              kind: 'prosecutor',
              procedures: ['mla', 'jit'],
            },
          ],
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit, Federal Ministry of Justice',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4262,
        },
      ],
      env: {
        LOG_LEVEL: 'warn',
        GATEWAY_RATE_LIMIT_PER_USER: String(RATE_PER_USER),
        GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED: String(RATE_PER_PEER),
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
      },
    });
    await network.createAccounts(FR, [
      { username: 'liaison.jit7', roles: ['liaison-officer'], jits: ['FR-JIT-7'] },
      // Used by the rate-limit test alone, so that its window starts empty.
      { username: 'rate.probe', roles: ['monitor'] },
      // The second administrator who approves role grants (separation of duties).
      { username: 'second.admin', roles: ['administrator'] },
      // Used by the timing test alone: a caller of the hosted authority, probing the node's own.
      { username: 'timing.probe', authorityId: PNAT, roles: ['supervisor'] },
      { username: 'stream.watch', roles: ['central-authority-officer'] },
    ]);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
  });

  afterAll(async () => {
    await frDb?.end();
    await network?.stopAll();
  });

  it('lists in its matrix every endpoint the gateway publishes', async () => {
    // The documentation is for signed-in users (GATEWAY_DOCS=authenticated, the default).
    expect((await fetch(url(FR, '/docs-json'))).status).toBe(401);
    const { body } = await api<{ paths: Record<string, Record<string, unknown>> }>(
      url(FR, '/docs-json'),
      { headers: await as(network, FR, 'monitor') },
    );
    const published = Object.entries(body.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !/ \/(health|inbound)\//.test(route))
      .sort();
    const normalise = (path: string) =>
      path
        .replace(NOBODY_ID, '{id}')
        .replace('NOBODY-1', '{reference}')
        .replace('nobody', '{username}');
    const listed = ENDPOINTS.filter((e) => !e.unpublished)
      .map((e) => `${e.method} ${normalise(e.path)}`)
      .sort();
    expect(listed).toEqual(published);
  });

  it('answers every role on every endpoint as the matrix says', async () => {
    const mismatches: string[] = [];
    for (const endpoint of ENDPOINTS) {
      for (const role of ROLES) {
        const answer = await call<ApiError>(
          FR,
          role,
          endpoint.method,
          endpoint.path,
          endpoint.body,
          endpoint.stream,
          endpoint.headers,
        );
        const permitted = endpoint.roles.includes(role);
        const expected = permitted ? (endpoint.grantedAs?.[role] ?? endpoint.granted) : 403;
        const code = permitted ? undefined : answer.body?.error?.code;
        // A HEAD answer has no body to carry the code.
        const codeWrong = !permitted && endpoint.method !== 'HEAD' && code !== 'PERMISSION_DENIED';
        if (answer.status !== expected || codeWrong) {
          mismatches.push(
            `${role} ${endpoint.method} ${endpoint.path}: ${answer.status} ${code ?? ''}, expected ${expected}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Refusals are audited with the permission at fault.
    const { rows } = await frDb.query<{ actor: string; details: { permission: string } }>(
      `select actor, details from audit_log where event = 'access.denied'`,
    );
    expect(rows.length).toBeGreaterThan(100);
    const monitorOnRegister = rows.find(
      (row) =>
        row.actor === `${accountName(FR, 'monitor')}@${FR}` &&
        row.details.permission === 'register.read',
    );
    expect(monitorOnRegister?.details).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('lets in no one without a valid credential, except health, sign-in and the signed peer endpoint', async () => {
    for (const endpoint of ENDPOINTS.filter((e) => !e.stream)) {
      const anonymous = await fetch(url(FR, endpoint.path), { method: endpoint.method });
      expect([endpoint.path, anonymous.status]).toEqual([
        endpoint.path,
        endpoint.public ? endpoint.granted : 401,
      ]);
    }
    const forged = await new SignJWT({ authority: FR })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(`gateway:${FR}`)
      .setAudience('gateway-api')
      .setSubject(accountName(FR, 'supervisor'))
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a secret that is not the node’s, 32+ bytes long'));
    // Signed with the node's own secret, but expired beyond the tolerated clock difference.
    const expired = await new SignJWT({ authority: FR })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(`gateway:${FR}`)
      .setAudience('gateway-api')
      .setSubject(accountName(FR, 'supervisor'))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
      .sign(readFileSync(join(network.options.workDir, 'secrets', `${FR}.token-secret`)));
    for (const token of [forged, 'not-a-token-at-all', expired]) {
      const refused = await api<ApiError>(url(FR, '/api/v1/me'), {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect((await fetch(url(FR, '/health/live'))).status).toBe(200);
    const peer = await api<ApiError>(url(FR, '/inbound/v1/envelopes'), { method: 'POST' });
    expect(peer.body.error.code).toBe('ENVELOPE_ROUTING_MISSING');
  });

  it('shows administrators the queue dashboard, over a bearer credential or the console session', async () => {
    const admin = await as(network, FR, 'administrator');
    type Queues = {
      queues: Array<{ name: string; readOnlyMode: boolean; counts: Record<string, number> }>;
    };
    const listed = await api<Queues>(url(FR, '/admin/queues/api/queues'), { headers: admin });
    expect(listed.status).toBe(200);
    expect(
      listed.body.queues
        .map((q) => [q.name, q.readOnlyMode, typeof q.counts.waiting, typeof q.counts.failed])
        .sort(),
    ).toEqual([
      ['deadlines', true, 'number', 'number'],
      ['delivery', true, 'number', 'number'],
    ]);
    // The page: its own policy, no inline script and nothing from another origin.
    const page = await fetch(url(FR, '/admin/queues'), { headers: admin });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    // Read-only: bull-board's actions are not routed at all.
    const retry = await fetch(url(FR, '/admin/queues/api/queues/delivery/retry/failed'), {
      method: 'PUT',
      headers: admin,
    });
    expect(retry.status).toBe(404);
    // In a browser: the console's session cookie, as for the console's own calls.
    const session = await fetch(url(FR, '/api/v1/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: admin.authorization.slice('Bearer '.length) }),
    });
    const cookie = session.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const viaSession = await fetch(url(FR, '/admin/queues/api/queues'), { headers: { cookie } });
    expect(viaSession.status).toBe(200);
    await fetch(url(FR, '/api/v1/session'), { method: 'DELETE', headers: { cookie } });
    // A monitor is refused, and the refusal is audited with the permission at fault.
    const monitor = await api<ApiError>(url(FR, '/admin/queues/api/queues'), {
      headers: await as(network, FR, 'monitor'),
    });
    expect([monitor.status, monitor.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    const { rows } = await frDb.query<{ details: Record<string, unknown> }>(
      `select details from audit_log where event = 'access.denied' and actor = $1
        and details->>'permission' = 'queues.read'`,
      [`${accountName(FR, 'monitor')}@${FR}`],
    );
    expect(rows.length).toBeGreaterThan(0);
  });

  it('keeps two authorities of one node apart: cases, messages, facts and figures', async () => {
    const [moj, pnat] = [await open(FR, 'FR-SHARED-2026-1'), await open(PNAT, 'FR-SHARED-2026-1')];
    expect([moj.status, pnat.status]).toEqual([202, 202]);
    // NG answers the MOJ's request: the answer lands in the MOJ's mailbox only.
    await waitFor(
      async () =>
        (await call(NG, 'supervisor', 'GET', `/api/v1/requests/${moj.body.requestId}`)).status ===
        200,
      'NG to hold the request',
    );
    const answered = await call(
      NG,
      'supervisor',
      'POST',
      `/api/v1/requests/${moj.body.requestId}/messages`,
      {
        messageType: 'acknowledgement',
        body: MLA_ANSWERS.acknowledgement('NG-CA-2026-77'),
      },
    );
    expect(answered.status).toBe(202);
    await waitFor(async () => {
      const { body } = await call<MessageView[]>(
        FR,
        'supervisor',
        'GET',
        '/api/v1/messages?direction=inbound',
      );
      return body.length === 1;
    }, 'the answer at the MOJ');

    const seen = async (authorityId: string) => ({
      requests: (
        await call<RequestView[]>(authorityId, 'supervisor', 'GET', '/api/v1/requests')
      ).body.map((r) => r.id),
      messages: (
        await call<MessageView[]>(authorityId, 'supervisor', 'GET', '/api/v1/messages')
      ).body.map((m) => m.sender),
      caseFile: (
        await call<{ requests: RequestDetail[] }>(
          authorityId,
          'supervisor',
          'GET',
          '/api/v1/cases/FR-SHARED-2026-1',
        )
      ).body.requests.map((r) => r.id),
    });
    expect(await seen(FR)).toEqual({
      requests: [moj.body.requestId],
      messages: [NG, FR],
      caseFile: [moj.body.requestId],
    });
    expect(await seen(PNAT)).toEqual({
      requests: [pnat.body.requestId],
      messages: [PNAT],
      caseFile: [pnat.body.requestId],
    });
    // Another authority's request, message and evidence are "not found", never "forbidden".
    for (const path of [
      `/api/v1/requests/${moj.body.requestId}`,
      `/api/v1/messages/${moj.body.messages[0].messageId}`,
      `/api/v1/messages/${moj.body.messages[0].messageId}/evidence`,
    ]) {
      const foreign = await call<ApiError>(PNAT, 'supervisor', 'GET', path);
      expect([path, foreign.status]).toEqual([path, 404]);
    }
    // Each probe is answered "not found", and recorded as a refusal of access.
    const { rows: probes } = await frDb.query<{ reason: string }>(
      `select details->>'reason' as reason from audit_log
        where event = 'access.denied' and actor = $1 order by id`,
      [`${accountName(PNAT, 'supervisor')}@${PNAT}`],
    );
    expect(probes.map((p) => p.reason)).toEqual([
      expect.stringContaining(`outside the caller's scope: request ${moj.body.requestId}`),
      expect.stringContaining(`outside the caller's scope: message`),
      expect.stringContaining(`outside the caller's scope: message`),
    ]);
    const hijack = await call<ApiError>(
      PNAT,
      'supervisor',
      'POST',
      `/api/v1/requests/${moj.body.requestId}/withdraw`,
      {
        reasons: 'not ours to withdraw',
      },
    );
    expect(hijack.body.error.code).toBe('REQUEST_NOT_FOUND');
    // Case facts are each authority's own, even under one case reference.
    const facts = { agreementId: 'MOJ-ONLY' };
    const recorded = { ...facts, procedure: 'mla', justification: 'The MLA treaty of 1959' };
    expect(
      (await call(FR, 'supervisor', 'PUT', '/api/v1/cases/FR-SHARED-2026-1/facts', recorded))
        .status,
    ).toBe(200);
    expect(
      (await call(PNAT, 'supervisor', 'GET', '/api/v1/cases/FR-SHARED-2026-1/facts')).body,
    ).toEqual({});
    expect(
      (await call(FR, 'supervisor', 'GET', '/api/v1/cases/FR-SHARED-2026-1/facts')).body,
    ).toEqual(facts);
    // A hosted authority's auditor reads only what concerns it; the node's own auditor, everything.
    type Entry = { actor: string; messageId: string | null };
    const trail = async (authorityId: string, event = '') =>
      (
        await call<Entry[]>(
          authorityId,
          'auditor',
          'GET',
          `/api/v1/audit?limit=1000${event && `&event=${event}`}`,
        )
      ).body;
    const pnatTrail = await trail(PNAT);
    expect(pnatTrail.length).toBeGreaterThan(0);
    expect(pnatTrail.some((e) => e.messageId === pnat.body.messages[0].messageId)).toBe(true);
    expect(pnatTrail.some((e) => e.messageId === moj.body.messages[0].messageId)).toBe(false);
    expect(pnatTrail.every((e) => e.actor.endsWith(`@${PNAT}`) || e.messageId !== null)).toBe(true);
    const sentAtFr = await trail(FR, 'message.sent');
    expect(sentAtFr.map((e) => e.messageId)).toEqual(
      expect.arrayContaining([moj.body.messages[0].messageId, pnat.body.messages[0].messageId]),
    );
    // An administrator creates accounts in their own authority only.
    const elsewhere = await call<ApiError>(FR, 'administrator', 'POST', '/api/v1/users', {
      username: 'intruder',
      kind: 'person',
      authorityId: PNAT,
      roles: ['supervisor'],
    });
    expect(elsewhere.body.error.code).toBe('PERMISSION_DENIED');
  });

  it('lists the forms of the caller’s procedures only', async () => {
    type Forms = {
      procedures: Array<{
        procedure: string;
        messageTypes: Array<{ messageType: string; opensCase: boolean }>;
      }>;
    };
    const procedures = async (role: Role) =>
      (await call<Forms>(FR, role, 'GET', '/api/v1/procedures')).body.procedures;
    const repatriation = await procedures('repatriation-officer');
    expect(repatriation.map((p) => p.procedure)).toEqual(['nationality-verification']);
    expect(
      repatriation[0].messageTypes.filter((t) => t.opensCase).map((t) => t.messageType),
    ).toEqual(['verification-request']);
    expect((await procedures('central-authority-officer')).map((p) => p.procedure)).toEqual([
      'mla',
    ]);
    expect((await procedures('supervisor')).map((p) => p.procedure).sort()).toEqual(
      ['assets', 'jit', 'mla', 'nationality-verification'].sort(),
    );
  });

  it('scopes each role to its procedures, and a liaison officer to their own JITs', async () => {
    const nv = await call<ApiError>(FR, 'central-authority-officer', 'POST', '/api/v1/messages', {
      procedure: 'nationality-verification',
      messageType: 'verification-request',
      recipients: [NG],
      caseReference: 'FR-OFII-2026-1',
      handling: SAMPLE_HANDLING,
      body: {},
    });
    expect([nv.status, nv.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    // The MLA requests of the MOJ are a central authority officer's, not a repatriation officer's.
    const central = await call<RequestView[]>(
      FR,
      'central-authority-officer',
      'GET',
      '/api/v1/requests',
    );
    const returns = await call<RequestView[]>(
      FR,
      'repatriation-officer',
      'GET',
      '/api/v1/requests',
    );
    expect(central.body.map((r) => r.procedure)).toEqual(['mla']);
    expect(returns.body).toEqual([]);

    const proposal = (caseReference: string) => ({
      procedure: 'jit',
      messageType: 'proposal',
      recipients: [NG],
      caseReference,
      handling: SAMPLE_HANDLING,
      body: {
        proposedParties: [FR, NG],
        purpose: 'A joint team',
        summary: 'Parallel investigations',
      },
    });
    const liaison = {
      authorization: `Bearer ${await network.token(FR, 'liaison.jit7')}`,
    };
    const asLiaison = <T>(method: string, path: string, body?: unknown) =>
      api<T>(url(FR, path), {
        method,
        headers: liaison,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // The team's legal basis is on record for its case (W-2): the liaison officer records it.
    const recorded = await asLiaison('PUT', '/api/v1/cases/FR-JIT-7/facts', {
      legalBasisRecorded: true,
    });
    expect(recorded.status).toBe(200);
    // Facts of cases outside their JITs are not theirs to read or write.
    const foreignFacts = await asLiaison<ApiError>('GET', '/api/v1/cases/FR-SHARED-2026-1/facts');
    expect(foreignFacts.body.error.code).toBe('CASE_NOT_FOUND');
    const own = await asLiaison<SubmissionAccepted>(
      'POST',
      '/api/v1/messages',
      proposal('FR-JIT-7'),
    );
    expect(own.body).toMatchObject({ status: 'queued' });
    // Explaining a draft would read another case's facts: refused as sending it would be.
    const probe = await asLiaison<ApiError>(
      'POST',
      '/api/v1/policy/explain',
      proposal('FR-SHARED-2026-1'),
    );
    expect(probe.body.error.code).toBe('PERMISSION_DENIED');
    const other = await asLiaison<ApiError>('POST', '/api/v1/messages', proposal('FR-JIT-8'));
    expect(other.body.error.code).toBe('PERMISSION_DENIED');
    const jitFacts = await call(FR, 'supervisor', 'PUT', '/api/v1/cases/FR-JIT-8/facts', {
      procedure: 'jit',
      legalBasisRecorded: true,
      justification: 'The team is founded on UNTOC art. 19',
    });
    expect(jitFacts.status).toBe(200);
    const otherJit = await call<SubmissionAccepted>(
      FR,
      'supervisor',
      'POST',
      '/api/v1/messages',
      proposal('FR-JIT-8'),
    );
    expect(otherJit.status).toBe(202);
    const visible = await asLiaison<RequestView[]>('GET', '/api/v1/requests');
    expect(visible.body.map((r) => r.caseReference)).toEqual(['FR-JIT-7']);
    expect(
      (await asLiaison<ApiError>('GET', `/api/v1/requests/${otherJit.body.requestId}`)).status,
    ).toBe(404);
    // The liaison officer of another JIT has no word on this one; the standard one sees no JIT.
    expect(
      (await call<RequestView[]>(FR, 'liaison-officer', 'GET', '/api/v1/requests')).body,
    ).toEqual([]);
  });

  it('lets only a supervisor acknowledge a policy warning', async () => {
    const answer = await call<ApiError>(
      FR,
      'central-authority-officer',
      'POST',
      '/api/v1/messages',
      {
        procedure: 'mla',
        messageType: 'request',
        recipients: [NG],
        caseReference: 'FR-ACK-2026-1',
        handling: SAMPLE_HANDLING,
        body: mlaRequest(FR),
        acknowledgements: [
          { ruleId: 'W-2', justification: 'The interview is already agreed with the victim' },
        ],
      },
    );
    expect([answer.status, answer.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(answer.body.error.details).toEqual([{ field: 'acknowledgements' }]);
    // Refused by the use-case, not the guard: audited all the same.
    const { rows } = await frDb.query<{ actor: string }>(
      `select actor from audit_log where event = 'access.denied'
         and details->>'field' = 'acknowledgements'`,
    );
    expect(rows.map((row) => row.actor)).toEqual([
      `${accountName(FR, 'central-authority-officer')}@${FR}`,
    ]);
  });

  it('gives the monitor aggregated figures with small cells suppressed, nothing more', async () => {
    const { body } = await call<{
      authorityId: string;
      smallCellThreshold: number;
      cells: Array<Record<string, unknown>>;
    }>(FR, 'monitor', 'GET', '/api/v1/statistics');
    expect(body.authorityId).toBe(FR);
    expect(body.cells.length).toBeGreaterThan(0);
    for (const cell of body.cells) {
      expect(Object.keys(cell).sort()).toEqual(['overdue', 'procedure', 'requests', 'status']);
      // A handful of requests per state: below the threshold, so no count is shown.
      expect(cell.requests).toBeNull();
    }
  });

  it('gives the monitor the operational indicators, rounded and suppressed, as JSON or CSV', async () => {
    const { body } = await call<{
      periodGranularity: string;
      periods: string[];
      populations: Array<{ indicator: string; total: number | null; breakdowns: unknown[] }>;
    }>(FR, 'monitor', 'GET', '/api/v1/statistics/indicators?by=sex');
    expect(body.periodGranularity).toBe('quarter');
    expect(body.populations.length).toBeGreaterThan(0);
    for (const population of body.populations) {
      // A handful of requests: below the threshold, so no count is shown.
      expect(population.total).toBeNull();
    }
    const csv = await fetch(url(FR, '/api/v1/statistics/indicators?format=csv'), {
      headers: await as(network, FR, 'monitor'),
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[0]).toBe(
      'period,procedure,indicator,dimension,value,count,suppressed',
    );
    const refused = await fetch(url(FR, '/api/v1/statistics/indicators?from=2026-02-30'), {
      headers: await as(network, FR, 'monitor'),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'STATISTICS_QUERY_INVALID',
    );
  });

  it('runs service accounts on hashed API keys that stop working when the account is disabled', async () => {
    const created = await call<{ roles: string[]; pendingGrant: { id: string } }>(
      FR,
      'administrator',
      'POST',
      '/api/v1/users',
      {
        username: 'case-system',
        kind: 'service',
        authorityId: FR,
        roles: ['central-authority-officer'],
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.roles).toEqual([]);
    const issued = await call<{ apiKey: string }>(
      FR,
      'administrator',
      'POST',
      '/api/v1/users/case-system/api-keys',
      {
        label: 'case management system',
      },
    );
    expect(issued.status).toBe(201);
    const key = issued.body.apiKey;
    const viaKey = (path = '/api/v1/me') =>
      api<{ username: string; roles: string[] }>(url(FR, path), {
        headers: { authorization: `Bearer ${key}` },
      });
    // Until a second administrator approves, the account holds no role.
    expect((await viaKey('/api/v1/requests')).status).toBe(403);
    const approved = await api(
      url(FR, `/api/v1/role-grants/${created.body.pendingGrant.id}/approve`),
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await network.token(FR, 'second.admin')}` },
      },
    );
    expect(approved.status).toBe(200);
    expect((await viaKey()).body).toMatchObject({
      username: 'case-system',
      roles: ['central-authority-officer'],
    });
    // Only the hash is stored.
    const { rows } = await frDb.query<{ hash: string }>(`select hash from api_keys`);
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).not.toContain(key.slice(4, 20));
    expect(
      (await call(FR, 'administrator', 'POST', '/api/v1/users/case-system/disable')).status,
    ).toBe(200);
    expect((await viaKey()).status).toBe(401);
  });

  it('grants the roles that open case content only on a second administrator’s approval', async () => {
    type Change = { roles: string[]; pendingGrant?: { id: string; roles: string[] } };
    const admin = await as(network, FR, 'administrator');
    const second = { authorization: `Bearer ${await network.token(FR, 'second.admin')}` };
    const post = <T>(headers: object, path: string, body?: unknown) =>
      api<T & ApiError>(url(FR, path), {
        method: 'POST',
        headers: headers as Record<string, string>,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A service account with supervisor and asylum roles, and its key: no case content yet.
    const created = await post<Change>(admin, '/api/v1/users', {
      username: 'bulk-reader',
      kind: 'service',
      authorityId: FR,
      roles: ['supervisor', 'asylum-authority-officer', 'monitor'],
    });
    expect(created.status).toBe(201);
    expect(created.body.roles).toEqual(['monitor']);
    expect(created.body.pendingGrant?.roles).toEqual(['supervisor', 'asylum-authority-officer']);
    const grant = created.body.pendingGrant!.id;
    const key = (
      await post<{ apiKey: string }>(admin, '/api/v1/users/bulk-reader/api-keys', {
        label: 'bulk',
      })
    ).body.apiKey;
    const withKey = { authorization: `Bearer ${key}` };
    expect((await api(url(FR, '/api/v1/requests'), { headers: withKey })).status).toBe(403);
    expect((await api(url(FR, '/api/v1/register'), { headers: withKey })).status).toBe(403);
    // Listed as pending for the authority's administrators.
    const pending = await api<Array<{ id: string; username: string }>>(
      url(FR, '/api/v1/role-grants?status=pending'),
      { headers: second },
    );
    expect(pending.body.map((g) => g.id)).toContain(grant);
    // The requester cannot approve their own request, nor anyone change their own roles.
    const own = await post(admin, `/api/v1/role-grants/${grant}/approve`);
    expect([own.status, own.body.error.code]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    const self = await post(second, '/api/v1/users/second.admin/roles', { roles: ['auditor'] });
    expect([self.status, self.body.error.code]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    const approved = await post<{ status: string }>(second, `/api/v1/role-grants/${grant}/approve`);
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
    expect((await api(url(FR, '/api/v1/requests'), { headers: withKey })).status).toBe(200);
    // A role change: removals at once, additions awaiting approval, refusable with a reason.
    const changed = await post<Change>(admin, '/api/v1/users/bulk-reader/roles', {
      roles: ['supervisor', 'auditor'],
    });
    expect(changed.body.roles).toEqual(['supervisor']);
    expect(changed.body.pendingGrant?.roles).toEqual(['auditor']);
    const refused = await post<{ status: string }>(
      second,
      `/api/v1/role-grants/${changed.body.pendingGrant!.id}/refuse`,
      { reason: 'a service account needs no audit trail' },
    );
    expect(refused.body.status).toBe('refused');
    expect((await api(url(FR, '/api/v1/register'), { headers: withKey })).status).toBe(403);
    const { rows } = await frDb.query<{ event: string; actor: string }>(
      `select event, actor from audit_log where event like 'role-grant.%' and details->>'username' = 'bulk-reader' order by id`,
    );
    expect(rows).toEqual([
      { event: 'role-grant.requested', actor: `${accountName(FR, 'administrator')}@${FR}` },
      { event: 'role-grant.approved', actor: `second.admin@${FR}` },
      { event: 'role-grant.requested', actor: `${accountName(FR, 'administrator')}@${FR}` },
      { event: 'role-grant.refused', actor: `second.admin@${FR}` },
    ]);
    const { rows: denied } = await frDb.query<{ code: string }>(
      `select details->>'code' as code from audit_log where event = 'access.denied'
        and details->>'code' = 'SEPARATION_OF_DUTIES'`,
    );
    expect(denied).toHaveLength(2);
  });

  it('lists API keys without their hash and revokes one at once: the next request is refused, the revocation audited', async () => {
    type Key = {
      id: string;
      username: string;
      label: string;
      createdAt: string;
      revokedAt: string | null;
      lastUsedAt: string | null;
    };
    const admin = `${accountName(FR, 'administrator')}@${FR}`;
    const created = await call(FR, 'administrator', 'POST', '/api/v1/users', {
      username: 'exchange-bridge',
      kind: 'service',
      authorityId: FR,
      roles: ['monitor'],
    });
    expect(created.status).toBe(201);
    const issued = await call<{ id: string; username: string; apiKey: string }>(
      FR,
      'administrator',
      'POST',
      '/api/v1/users/exchange-bridge/api-keys',
      { label: 'bridge' },
    );
    expect(issued.status).toBe(201);
    const { id, apiKey } = issued.body;
    const viaKey = () =>
      api(url(FR, '/api/v1/me'), { headers: { authorization: `Bearer ${apiKey}` } });
    expect((await viaKey()).status).toBe(200);

    // Listed for the authority's administrators, with its last use; never the key or its hash.
    const listed = await call<Key[]>(FR, 'administrator', 'GET', '/api/v1/api-keys');
    expect(listed.status).toBe(200);
    const row = listed.body.find((key) => key.id === id);
    expect(row).toMatchObject({ username: 'exchange-bridge', label: 'bridge', revokedAt: null });
    expect(row?.lastUsedAt).not.toBeNull();
    const { rows: stored } = await frDb.query<{ hash: string }>(
      `select hash from api_keys where id = $1`,
      [id],
    );
    expect(Object.keys(row!).sort()).toEqual(
      ['createdAt', 'id', 'label', 'lastUsedAt', 'revokedAt', 'username'].sort(),
    );
    expect(JSON.stringify(listed.body)).not.toContain(stored[0].hash);
    expect(JSON.stringify(listed.body)).not.toContain(apiKey);

    // Another authority served by the same node neither sees it nor revokes it.
    const elsewhere = await call<Key[]>(PNAT, 'administrator', 'GET', '/api/v1/api-keys');
    expect(elsewhere.body.map((key) => key.id)).not.toContain(id);
    const foreign = await call<ApiError>(
      PNAT,
      'administrator',
      'POST',
      `/api/v1/api-keys/${id}/revoke`,
    );
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'API_KEY_NOT_FOUND']);
    expect((await viaKey()).status).toBe(200);

    const revoked = await call<Key & { outcome: string }>(
      FR,
      'administrator',
      'POST',
      `/api/v1/api-keys/${id}/revoke`,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, outcome: 'revoked' });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await viaKey()).status).toBe(401);
    // Again: nothing changes, and it says so.
    const again = await call<Key & { outcome: string }>(
      FR,
      'administrator',
      'POST',
      `/api/v1/api-keys/${id}/revoke`,
    );
    expect([again.status, again.body.outcome, again.body.revokedAt]).toEqual([
      200,
      'already-revoked',
      revoked.body.revokedAt,
    ]);
    const after = await call<Key[]>(FR, 'administrator', 'GET', '/api/v1/api-keys');
    expect(after.body.find((key) => key.id === id)?.revokedAt).toBe(revoked.body.revokedAt);

    const { rows } = await frDb.query<{ event: string; actor: string; details: object }>(
      `select event, actor, details from audit_log
        where event like 'api-key.%' and details->>'keyId' = $1 order by id`,
      [id],
    );
    expect(rows).toEqual([
      {
        event: 'api-key.issued',
        actor: admin,
        details: { keyId: id, username: 'exchange-bridge', label: 'bridge' },
      },
      {
        event: 'api-key.revoked',
        actor: admin,
        details: { keyId: id, username: 'exchange-bridge', label: 'bridge' },
      },
    ]);
    const { rows: leaks } = await frDb.query(
      `select 1 from audit_log where details::text like '%' || $1 || '%'`,
      [apiKey.slice(4)],
    );
    expect(leaks).toEqual([]);
  });

  it('answers "not yours" as fast as "does not exist"', async () => {
    const foreign = (await call<RequestView[]>(FR, 'supervisor', 'GET', '/api/v1/requests')).body[0]
      .id;
    const headers = { authorization: `Bearer ${await network.token(PNAT, 'timing.probe')}` };
    const timed = async (id: string) => {
      const started = process.hrtime.bigint();
      const answer = await fetch(url(PNAT, `/api/v1/requests/${id}`), { headers });
      await answer.arrayBuffer();
      expect(answer.status).toBe(404);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Warm-up, then interleaved pairs in alternating order, so that drift hits both alike.
    const PAIRS = 70;
    for (let i = 0; i < 5; i++) await timed(foreign);
    const differences: number[] = [];
    const notYours: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const missing = `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`;
      const [a, b] =
        i % 2 === 0
          ? [await timed(foreign), await timed(missing)]
          : [await timed(missing), await timed(foreign)].reverse();
      notYours.push(a);
      differences.push(a - b);
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1];
    // Noise: the standard error of the median difference, from its interquartile range.
    const sorted = [...differences].sort((x, y) => x - y);
    const quantile = (p: number) => sorted[Math.floor(p * (sorted.length - 1))];
    const standardError =
      (1.2533 * ((quantile(0.75) - quantile(0.25)) / 1.349)) / Math.sqrt(sorted.length);
    console.info(
      `timing over ${PAIRS} interleaved pairs: "not yours" median ${median(notYours).toFixed(2)} ms, ` +
        `median paired difference ${median(differences).toFixed(3)} ms (standard error ${standardError.toFixed(3)} ms)`,
    );
    // The audit write that "not yours" once added took 1.9 ms over a 2.5 ms answer: the two must
    // not differ by more than the noise of the measurement (nor 0.4 ms on a quiet machine).
    expect(Math.abs(median(differences))).toBeLessThan(Math.max(0.4, 3 * standardError));
    // Both are on record: the refusal as access.denied, the miss as access.not-found.
    const { rows } = await frDb.query<{ event: string; n: string }>(
      `select event, count(*) as n from audit_log where actor = $1 group by 1 order by 1`,
      [`timing.probe@${PNAT}`],
    );
    expect(rows).toEqual([
      { event: 'access.denied', n: String(5 + PAIRS) },
      { event: 'access.not-found', n: String(PAIRS) },
    ]);
  });

  it('ends an open mailbox stream once its account is disabled', async () => {
    const response = await fetch(url(FR, '/api/v1/mailbox/events'), {
      headers: { authorization: `Bearer ${await network.token(FR, 'stream.watch')}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const disabled = await call(FR, 'administrator', 'POST', '/api/v1/users/stream.watch/disable');
    expect(disabled.status).toBe(200);
    const ended = await waitFor(
      async () => ((await reader.read()).done ? true : undefined),
      'the stream to end',
      15_000,
    );
    expect(ended).toBe(true);
  });

  it('limits requests per user and per peer, answering 429 with the time to wait', async () => {
    const headers = { authorization: `Bearer ${await network.token(FR, 'rate.probe')}` };
    const statuses: number[] = [];
    for (let i = 0; i < RATE_PER_USER + 1; i++) {
      statuses.push((await fetch(url(FR, '/api/v1/me'), { headers })).status);
    }
    expect(statuses.slice(0, RATE_PER_USER).every((s) => s === 200)).toBe(true);
    const limited = await api<ApiError>(url(FR, '/api/v1/me'), { headers });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user is not affected.
    expect((await call(FR, 'monitor', 'GET', '/api/v1/me')).status).toBe(200);

    // The peer endpoint counts per address, before any decryption: a sender header proves nothing
    // yet. NG's deliveries earlier in the window came from this address too.
    const flood = () =>
      fetch(url(FR, '/inbound/v1/envelopes'), {
        method: 'POST',
        headers: {
          [ROUTING_HEADERS.sender]: `XX-FLOOD-${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
          'content-type': ENVELOPE_MEDIA_TYPE,
        },
        body: 'not an envelope',
      });
    let sent = 0;
    let answer: Response;
    do {
      answer = await flood();
      sent += 1;
    } while (answer.status !== 429 && sent <= RATE_PER_PEER);
    expect(answer.status).toBe(429);
    expect(((await answer.json()) as ApiError).error.code).toBe('RATE_LIMITED');
    const { rows } = await frDb.query<{ n: string }>(
      `select count(*) as n from audit_log where event = 'rate.limited'`,
    );
    expect(Number(rows[0].n)).toBe(2);
  });
});
