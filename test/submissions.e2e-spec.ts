import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { LocalNetwork, mlaRequest } from '#tools/local-network';
import type { MessageView, SubmissionAccepted } from '#libs/messaging';
import { api, as, nodeDatabase, signIn, waitFor } from './support/network.js';

/*
 * Submissions as clients retry them and as officers preview them, across real nodes: an
 * Idempotency-Key makes a retried (or duplicated, in parallel) submission answer with the first
 * answer instead of opening a second request; and an onward transfer is previewed by the very
 * decision forwarding makes.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;

interface ApiError {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
}

describe('submissions: idempotent retries, previews of onward transfers', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_submissions',
      workDir: join(tmpdir(), 'gateway-e2e-submissions'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'BEPI',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4291,
          workerPort: 5291,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'FMoJ',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4292,
          competence: {
            measures: ['taking-evidence', 'service-of-documents', 'asset-freezing'],
            languages: ['en'],
            urgentContact: { channel: 'phone', address: '+234 9 461 0000' },
          },
          hosted: [
            {
              authorityId: 'NG-NAPTIP-LAG',
              name: 'NAPTIP Lagos zonal command',
              kind: 'prosecutor',
              procedures: ['mla'],
              competence: {
                measures: ['taking-evidence'],
                regions: ['Lagos'],
                offences: ['trafficking-in-persons'],
                languages: ['en'],
              },
            },
          ],
        },
        {
          authorityId: IT,
          state: 'IT',
          name: 'DAG',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4293,
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '1000',
      },
    });
    await signIn(network);
    await network.startAll();
    for (const id of [FR, NG, IT]) db[id] = nodeDatabase(network, id);
  });

  afterAll(async () => {
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  const handling = (noOnwardTransferTo: string[] = []) => ({
    permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0300 (trafficking in persons)',
    confidential: false,
    noOnwardTransferTo,
  });

  const request = (from: string, to: string, caseReference: string, noOnward: string[] = []) => ({
    procedure: 'mla',
    messageType: 'request',
    recipients: [to],
    caseReference,
    handling: handling(noOnward),
    body: mlaRequest(from),
  });

  const submit = (from: string, draft: object, key?: string) =>
    api<SubmissionAccepted & ApiError>(`${network.url(from)}/api/v1/messages`, {
      method: 'POST',
      headers: key ? { 'idempotency-key': key } : {},
      body: JSON.stringify(draft),
    });

  const requestsOf = async (authorityId: string, caseReference: string) =>
    (
      await db[authorityId].query<{ n: number }>(
        'select count(*)::int as n from requests where case_reference = $1',
        [caseReference],
      )
    ).rows[0].n;

  it('answers a retried submission with its first answer, and refuses another body under the same key', async () => {
    const draft = request(FR, NG, 'FR-IDEM-2026-1');
    const first = await submit(FR, draft, 'retry-0001');
    expect(first.status).toBe(202);
    const again = await submit(FR, draft, 'retry-0001');
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await requestsOf(FR, 'FR-IDEM-2026-1')).toBe(1);

    const other = await submit(FR, { ...draft, caseReference: 'FR-IDEM-2026-2' }, 'retry-0001');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await requestsOf(FR, 'FR-IDEM-2026-2')).toBe(0);

    const malformed = await submit(FR, draft, 'with spaces is not a key');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([{ field: 'Idempotency-Key' }]);
  });

  it('opens one request for eight parallel copies under one key, and gives each the same answer', async () => {
    const draft = request(FR, NG, 'FR-IDEM-2026-3');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => submit(FR, draft, 'parallel-0001')),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    expect(await requestsOf(FR, 'FR-IDEM-2026-3')).toBe(1);
  });

  it('previews an onward transfer exactly as forwarding decides it', async () => {
    // NG sends FR two requests: one that may go on to Italy, one whose conditions exclude it.
    const open = await submit(NG, request(NG, FR, 'NG-FWD-2026-1'));
    const closed = await submit(NG, request(NG, FR, 'NG-FWD-2026-2', ['IT']));
    const received = async (caseReference: string) =>
      waitFor(async () => {
        const { body } = await api<MessageView[]>(
          `${network.url(FR)}/api/v1/messages?direction=inbound`,
        );
        return body.find((m) => m.caseReference === caseReference);
      }, `FR to receive ${caseReference}`);
    expect([open.status, closed.status]).toEqual([202, 202]);

    for (const [caseReference, expected] of [
      ['NG-FWD-2026-1', { outcome: 'allow', status: 202 }],
      ['NG-FWD-2026-2', { outcome: 'block', status: 403 }],
    ] as const) {
      const message = await received(caseReference);
      const forward = {
        recipients: [IT],
        caseReference: `FR-${caseReference}`,
        purpose: handling().permittedPurpose,
      };
      const preview = await api<Array<{ outcome: string; rules: unknown[] }>>(
        `${network.url(FR)}/api/v1/messages/${message.id}/forward/explain`,
        { method: 'POST', body: JSON.stringify(forward) },
      );
      expect(preview.status).toBe(200);
      expect(preview.body[0].outcome).toBe(expected.outcome);
      const sent = await api<ApiError>(`${network.url(FR)}/api/v1/messages/${message.id}/forward`, {
        method: 'POST',
        body: JSON.stringify(forward),
      });
      expect(sent.status).toBe(expected.status);
      if (expected.status === 403) {
        // The rules the preview named are the rules the refusal names.
        expect(sent.body.error.details).toEqual(preview.body[0].rules);
        expect(preview.body[0].rules).toEqual([expect.objectContaining({ rule: 'HC-1' })]);
      }
    }
  });

  it('counts what the node does in /metrics, for monitors, and the worker answers for itself', async () => {
    /** The sum of a metric's samples whose labels include every one given. */
    const sample = (text: string, metric: string, labels: Record<string, string> = {}) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
        .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    const scrape = async () => {
      const response = await fetch(`${network.url(FR)}/metrics`, {
        headers: await as(network, FR, 'monitor'),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const worker = (path: string) => fetch(`http://127.0.0.1:5291${path}`);

    // The earlier tests' messages settle first: their deliveries would move the gauges too.
    await waitFor(
      async () =>
        (
          await db[FR].query(
            `select 1 from messages where direction = 'outbound' and status in ('queued', 'sending', 'waiting-for-receipt', 'waiting-for-retry')`,
          )
        ).rowCount === 0,
      'the earlier messages to settle',
    );
    const before = await scrape();
    const sent = await submit(FR, request(FR, NG, 'FR-METRICS-2026-1'));
    expect(sent.status).toBe(202);
    await waitFor(
      async () =>
        (
          await db[FR].query(`select 1 from messages where id = $1 and status = 'delivered'`, [
            sent.body.messages[0].messageId,
          ])
        ).rowCount === 1,
      'the request to be delivered',
    );
    const after = await scrape();
    const moved = (metric: string, labels: Record<string, string> = {}) =>
      sample(after, metric, labels) - sample(before, metric, labels);
    expect(moved('tip_policy_decisions_total', { outcome: 'allow' })).toBeGreaterThanOrEqual(1);
    expect(moved('tip_messages', { direction: 'outbound', status: 'delivered' })).toBe(1);
    expect(moved('tip_deadlines')).toBeGreaterThanOrEqual(1);
    expect(
      moved('tip_http_request_seconds_count', { method: 'POST', route: '/api/v1/messages' }),
    ).toBeGreaterThanOrEqual(1);
    // Unknown paths are one label, whatever a caller makes up.
    await fetch(`${network.url(FR)}/no/such/path/${Date.now()}`);
    expect(await scrape()).toContain('route="unmatched"');
    expect(after).not.toContain('FR-METRICS-2026-1');

    // Operational figures, not case work: a caseworker is refused; nobody gets in anonymously.
    const officer = await fetch(`${network.url(FR)}/metrics`, {
      headers: await as(network, FR, 'central-authority-officer'),
    });
    expect(officer.status).toBe(403);
    expect((await fetch(`${network.url(FR)}/metrics`)).status).toBe(401);

    // The worker's own server: ready, and its delivery counted and timed.
    expect((await worker('/health/ready')).status).toBe(200);
    const workerMetrics = await (await worker('/metrics')).text();
    expect(
      sample(workerMetrics, 'tip_delivery_attempts_total', { outcome: 'delivered' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(workerMetrics, 'tip_delivery_attempt_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(workerMetrics).toContain('component="worker"');
  });

  it('finds the competent authority of a State for a measure, with the instrument that applies', async () => {
    type Found = { id: string; instrument: { kind: string; id: string }; reasons: string[] };
    const finder = (query: string, from = FR) =>
      api<Found[] & ApiError>(`${network.url(from)}/api/v1/directory/finder?${query}`);
    const inLagos = await finder(
      'state=NG&measure=taking-evidence&offence=trafficking-in-persons&locality=lagos',
    );
    expect(inLagos.status).toBe(200);
    expect(inLagos.body.map((found) => found.id)).toEqual(['NG-NAPTIP-LAG', NG]);
    expect(inLagos.body[1]).toMatchObject({
      instrument: { kind: 'untoc', id: 'UNTOC art. 18(7)' },
      languages: ['en'],
      urgentContact: { channel: 'phone', address: '+234 9 461 0000' },
    });
    // Outside Lagos only the central authority; between EU States the EIO applies.
    expect(
      (await finder('state=NG&measure=taking-evidence&locality=Kano')).body.map((f) => f.id),
    ).toEqual([NG]);
    expect((await finder('state=IT&measure=taking-evidence')).body).toEqual([
      expect.objectContaining({
        id: IT,
        instrument: expect.objectContaining({ id: 'Directive 2014/41/EU' }) as object,
      }),
    ]);
    // NG's entry states its measures: a JIT is not among them.
    expect((await finder('state=NG&measure=joint-investigation-team')).body).toEqual([]);
    const refused = await finder('state=Nigeria&measure=interrogation');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.details.map((d: { field?: string }) => d.field).sort()).toEqual([
      'measure',
      'state',
    ]);
  });
});
