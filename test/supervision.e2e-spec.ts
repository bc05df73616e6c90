import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Role } from '#libs/access';
import type {
  SubmissionAccepted,
  SupervisedSubmissionDetail,
  SupervisedSubmissionView,
} from '#libs/messaging';
import { RULES_CATALOGUE } from '#libs/policy';
import {
  accountName,
  LocalNetwork,
  MLA_ANSWERS,
  mlaRequest,
  SAMPLE_HANDLING,
  tusUpload,
} from '#tools/local-network';
import {
  api,
  as,
  auditorsTrail,
  nodeDatabase,
  signIn,
  storedPayloads,
  waitFor,
} from './support/network.js';

/*
 * A supervisor's daily work across real processes: a caseworker's draft refused only for a
 * warning (W-6: asylum named in free text to an origin-country authority) waits for a supervisor
 * instead of being lost; a supervisor reads it, acknowledges the warning with a justification (the
 * draft is decided again and delivered to NG as the caseworker's message, the acknowledgement in
 * FR's decision audit) or declines it with a reason the caseworker reads. Nobody decides their own
 * submission, two supervisors deciding at once make one decision, and no other role reaches the
 * supervisors' routes.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const SECOND_SUPERVISOR = 'fr-moj-bepi.second-supervisor';
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';
const ASYLUM = 'One victim told the officers she had applied for asylum in France in 2025.';
const JUSTIFICATION = 'The victim is not a national of NG and asked that NG be told (note 12).';
const REASON = 'Ask the victim first: the request can go without the asylum sentence.';
/** Unattached uploads expire after this (the files of a kept draft must outlive it). */
const UPLOAD_TTL_MS = 10_000;

type ApiError = {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
};
type Headers = Record<string, string>;

const draftFor = (caseReference: string) => {
  const body = mlaRequest(FR);
  return {
    procedure: 'mla',
    messageType: 'request',
    recipients: [NG],
    caseReference,
    handling: SAMPLE_HANDLING,
    body: { ...body, summaryOfFacts: `${body.summaryOfFacts} ${ASYLUM}` },
  };
};

describe('supervision: submissions refused only for warnings wait for a supervisor', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  const headers: Record<string, Headers> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_supervision',
      workDir: join(tmpdir(), 'gateway-e2e-supervision'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'BEPI',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4421,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'FMoJ',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4422,
        },
      ],
      env: {
        LOG_LEVEL: 'warn',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        // Notices are written to the outbox (nothing listens there: none is sent during the test).
        GATEWAY_SMTP_URL: 'smtp://127.0.0.1:4429',
        GATEWAY_NOTIFICATION_FROM: 'gateway-notifications@gateway.test',
        GATEWAY_NOTIFICATION_INTERVAL_MS: '600000',
        // Short, so that the unattached-upload expiry runs while a kept draft's files wait.
        GATEWAY_FILES_UNATTACHED_TTL_MS: String(UPLOAD_TTL_MS),
        GATEWAY_FILES_SWEEP_INTERVAL_MS: '300',
      },
    });
    await network.createAccounts(FR, [{ username: SECOND_SUPERVISOR, roles: ['supervisor'] }]);
    await signIn(network);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
    for (const role of ['central-authority-officer', 'supervisor', 'auditor'] as Role[])
      headers[role] = await as(network, FR, role);
    headers.second = {
      authorization: `Bearer ${await network.token(FR, SECOND_SUPERVISOR)}`,
    };
    for (const [who, as] of Object.entries(headers)) {
      const set = await api(`${network.url(FR)}/api/v1/me/notifications`, {
        method: 'PUT',
        headers: as,
        body: JSON.stringify({ email: `${who}@gateway.test` }),
      });
      expect(set.status).toBe(200);
    }
  });

  afterAll(async () => {
    await frDb?.end();
    await network?.stopAll();
  });

  const caseworker = () => headers['central-authority-officer'];
  const supervisor = () => headers.supervisor;
  const actor = (username: string) => `${username}@${FR}`;
  const CASEWORKER = () => actor(accountName(FR, 'central-authority-officer'));
  const SUPERVISOR = () => actor(accountName(FR, 'supervisor'));

  const submit = (draft: unknown, as: Headers, key?: string) =>
    api<SubmissionAccepted & ApiError>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(draft),
      headers: { ...as, ...(key ? { 'idempotency-key': key } : {}) },
    });

  /** A warned draft kept for a supervisor: the refusal's id. */
  const keptFor = async (caseReference: string, as: Headers = caseworker()) => {
    const refused = await submit(draftFor(caseReference), as);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('POLICY_ACKNOWLEDGEMENT_REQUIRED');
    return String(refused.body.error.details[0].supervisedSubmissionId);
  };

  const supervision = <T>(path: string, as: Headers, body?: unknown) =>
    api<T & ApiError>(`${network.url(FR)}/api/v1/supervision/submissions${path}`, {
      headers: as,
      ...(body !== undefined && { method: 'POST', body: JSON.stringify(body) }),
    });
  const acknowledge = (id: string, as: Headers, justification = JUSTIFICATION) =>
    supervision<SubmissionAccepted>(`/${id}/acknowledge`, as, {
      acknowledgements: [{ ruleId: 'W-6', justification }],
    });
  const decline = (id: string, as: Headers, reason = REASON) =>
    supervision<SupervisedSubmissionView>(`/${id}/decline`, as, { reason });
  const own = (id: string, as: Headers = caseworker()) =>
    api<SupervisedSubmissionView & ApiError>(
      `${network.url(FR)}/api/v1/supervised-submissions/${id}`,
      { headers: as },
    );

  const count = async (sql: string, values: unknown[]) =>
    (await frDb.query<{ n: number }>(`select count(*)::int as n from ${sql}`, values)).rows[0].n;
  const audited = async (event: string, id: string) =>
    (
      await frDb.query<{ actor: string; details: Record<string, unknown> }>(
        `select actor, details from audit_log where event = $1 and details->>'supervisedSubmissionId' = $2 order by id`,
        [event, id],
      )
    ).rows;

  /** A caseworker's upload (one PATCH): its id. */
  const upload = (filename: string) =>
    tusUpload(
      (path, init) =>
        api(`${network.url(FR)}${path}`, {
          ...init,
          headers: { ...(init.headers as Headers), ...caseworker() },
        }),
      Buffer.from(`Bank statements of the account used for the transfers (${filename}).\n`),
      { filename, filetype: 'text/plain', category: 'evidence-item' },
    );
  const uploadRow = async (id: string) =>
    (
      await frDb.query<{
        state: string;
        held_for: string | null;
        message_id: string | null;
        released_at: Date | null;
        expired_at: Date | null;
      }>('select state, held_for, message_id, released_at, expired_at from uploads where id = $1', [
        id,
      ])
    ).rows[0];
  const withFiles = (caseReference: string, uploadIds: string[]) => ({
    ...draftFor(caseReference),
    attachments: uploadIds.map((uploadId) => ({ uploadId })),
  });
  const keep = async (caseReference: string, uploadIds: string[]) => {
    const refused = await submit(withFiles(caseReference, uploadIds), caseworker());
    expect({ status: refused.status, error: refused.body.error }).toMatchObject({
      status: 409,
      error: { code: 'POLICY_ACKNOWLEDGEMENT_REQUIRED' },
    });
    return String(refused.body.error.details[0].supervisedSubmissionId);
  };

  let acknowledgedId: string;
  /** The request the supervisor's acknowledgement sent to NG. */
  let sentRequestId: string;

  it('keeps a caseworker’s warned draft for a supervisor, once, and answers the same refusal with its id', async () => {
    const draft = draftFor('FR-SUP-2026-1');
    const first = await submit(draft, caseworker(), 'sup-key-1');
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('POLICY_ACKNOWLEDGEMENT_REQUIRED');
    expect(first.body.error.details.map((d) => d.rule)).toEqual(['W-6']);
    const id = String(first.body.error.details[0].supervisedSubmissionId);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body.error.message).toContain(`submission ${id}`);
    // The same key, and the same draft without a key: the same item, not a second one.
    const retried = await submit(draft, caseworker(), 'sup-key-1');
    expect(retried.status).toBe(409);
    expect(retried.body.error.details[0].supervisedSubmissionId).toBe(id);
    const again = await submit(draft, caseworker());
    expect(again.body.error.details[0].supervisedSubmissionId).toBe(id);
    expect(await count(`supervised_submissions where case_reference = $1`, ['FR-SUP-2026-1'])).toBe(
      1,
    );
    expect(await count(`requests where case_reference = $1`, ['FR-SUP-2026-1'])).toBe(0);
    // Sealed at rest: neither the draft nor the warning's explanation is stored in clear.
    const { rows } = await frDb.query<{ draft: Buffer; explanations: Buffer }>(
      'select draft, explanations from supervised_submissions where id = $1',
      [id],
    );
    expect(rows[0].draft.includes('asylum')).toBe(false);
    expect(rows[0].explanations.includes('asylum')).toBe(false);
    const requested = await audited('supervision.requested', id);
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
      actor: CASEWORKER(),
      details: { rules: ['W-6'], recipients: [NG], procedure: 'mla' },
    });

    // What the caseworker reads of it: waiting.
    const status = await own(id);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id, status: 'awaiting-supervisor', decidedBy: null });
    expect((status.body as unknown as { draft?: unknown }).draft).toBeUndefined();

    // The supervisors' list: routing facts, rule ids, legal bases, what the rule found, who, when.
    const list = await supervision<SupervisedSubmissionView[]>(
      '?status=awaiting-supervisor',
      supervisor(),
    );
    expect(list.status).toBe(200);
    const listed = list.body.find((item) => item.id === id);
    expect(listed).toMatchObject({
      procedure: 'mla',
      messageType: 'request',
      channel: 'new-request',
      recipients: [NG],
      caseReference: 'FR-SUP-2026-1',
      submittedBy: CASEWORKER(),
      status: 'awaiting-supervisor',
    });
    expect(listed!.warnings.map(({ ruleId, legalBasis }) => ({ ruleId, legalBasis }))).toEqual([
      { ruleId: 'W-6', legalBasis: [...RULES_CATALOGUE['W-6'].legalBasis] },
    ]);
    expect(listed!.warnings[0].text).toMatch(/asylum|protection/i);
    expect(Date.parse(listed!.submittedAt)).not.toBeNaN();
    // The detail holds the draft as submitted.
    const detail = await supervision<SupervisedSubmissionDetail>(`/${id}`, supervisor());
    expect(detail.status).toBe(200);
    expect(String(detail.body.draft?.body.summaryOfFacts)).toContain(ASYLUM);
    // Both supervisors are told a warning awaits them; the caseworker is not.
    const { rows: told } = await frDb.query<{ username: string }>(
      `select username from notifications where kind = 'warning-awaiting-supervisor' order by username`,
    );
    expect(new Set(told.map((row) => row.username))).toEqual(
      new Set([accountName(FR, 'supervisor'), SECOND_SUPERVISOR]),
    );
    acknowledgedId = id;
  });

  it('a supervisor acknowledges the warning: delivered to NG as the caseworker’s message, the acknowledgement audited', async () => {
    const id = acknowledgedId;
    const blank = await acknowledge(id, supervisor(), '   ');
    expect(blank.status).toBe(400);
    expect(blank.body.error.code).toBe('VALIDATION_FAILED');
    const missing = await supervision(`/${id}/acknowledge`, supervisor(), { acknowledgements: [] });
    expect(missing.status).toBe(400);

    const sent = await acknowledge(id, supervisor());
    expect(sent.status).toBe(202);
    expect(sent.body.messages).toEqual([
      expect.objectContaining({ recipient: NG, policy: 'allow' }),
    ]);
    const [{ messageId }] = sent.body.messages;
    sentRequestId = sent.body.requestId;
    await waitFor(async () => {
      const { rows } = await frDb.query<{ status: string }>(
        'select status from messages where id = $1',
        [messageId],
      );
      if (rows[0]?.status === 'failed') throw new Error('delivery failed');
      return rows[0]?.status === 'delivered';
    }, 'delivery to NG');

    // The caseworker's message; the supervisor's acknowledgement in the decision's audit entry,
    // the justification in its sealed annex.
    const { rows: sentEntries } = await frDb.query<{ actor: string }>(
      `select actor from audit_log where event = 'message.sent' and message_id = $1`,
      [messageId],
    );
    expect(sentEntries).toEqual([{ actor: CASEWORKER() }]);
    const { rows: decided } = await frDb.query<{ details: Record<string, unknown> }>(
      `select details from audit_log where event = 'policy.decided' and message_id = $1`,
      [messageId],
    );
    expect(decided[0].details).toMatchObject({
      outcome: 'allow',
      acknowledgements: [{ ruleId: 'W-6', supervisor: SUPERVISOR() }],
    });
    expect(JSON.stringify(decided)).not.toContain(JUSTIFICATION);
    const trail = await auditorsTrail<{ messageId: string; annex?: unknown }>(
      network,
      FR,
      'policy.decided',
    );
    expect(trail.find((entry) => entry.messageId === messageId)?.annex).toMatchObject({
      justifications: [{ ruleId: 'W-6', justification: JUSTIFICATION }],
    });
    const acknowledged = await audited('supervision.acknowledged', id);
    expect(acknowledged).toHaveLength(1);
    expect(acknowledged[0]).toMatchObject({
      actor: SUPERVISOR(),
      details: { rules: ['W-6'], submittedBy: CASEWORKER(), messages: [messageId] },
    });
    expect((acknowledged[0].details.legalBases as string[]).length).toBeGreaterThan(0);

    // NG holds the request, not the justification.
    const ngDb = nodeDatabase(network, NG);
    try {
      const payloads = await storedPayloads(network, NG, ngDb);
      const received = payloads.find((p) => p.messageId === messageId);
      expect(received).toBeDefined();
      expect(JSON.stringify(received)).not.toContain(JUSTIFICATION);
    } finally {
      await ngDb.end();
    }

    const status = await own(id);
    expect(status.body).toMatchObject({ status: 'acknowledged', decidedBy: SUPERVISOR() });
    expect(status.body.outcome).toMatchObject({ requestId: sent.body.requestId });
    const twice = await acknowledge(id, supervisor());
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('SUPERVISED_SUBMISSION_DECIDED');
  });

  it('a supervisor declines with a reason: nothing is sent, the caseworker reads why', async () => {
    const id = await keptFor('FR-SUP-2026-2');
    const noReason = await supervision(`/${id}/decline`, supervisor(), { reason: ' ' });
    expect(noReason.status).toBe(400);
    const declined = await decline(id, supervisor());
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ id, status: 'declined', reason: REASON });

    const status = await own(id);
    expect(status.body).toMatchObject({
      status: 'declined',
      reason: REASON,
      decidedBy: SUPERVISOR(),
    });
    const mine = await api<SupervisedSubmissionView[]>(
      `${network.url(FR)}/api/v1/supervised-submissions`,
      { headers: caseworker() },
    );
    expect(mine.body.map((item) => item.id)).toContain(id);
    // The caseworker alone is told by e-mail that a supervisor decided (an id, no content).
    const { rows: told } = await frDb.query<{ username: string; kind: string; link: string }>(
      'select username, kind, link from notifications where reference = $1',
      [id],
    );
    expect(told).toEqual([
      {
        username: accountName(FR, 'central-authority-officer'),
        kind: 'supervisor-decided',
        link: '#/mailbox',
      },
    ]);
    expect(await count(`requests where case_reference = $1`, ['FR-SUP-2026-2'])).toBe(0);
    expect(await count(`messages where case_reference = $1`, ['FR-SUP-2026-2'])).toBe(0);
    // The reason in the audit entry's sealed annex, not in its chained details.
    const [entry] = await audited('supervision.declined', id);
    expect(entry).toMatchObject({ actor: SUPERVISOR(), details: { rules: ['W-6'] } });
    expect(JSON.stringify(entry)).not.toContain(REASON);
    const trail = await auditorsTrail<{ details: Record<string, unknown>; annex?: unknown }>(
      network,
      FR,
      'supervision.declined',
    );
    expect(trail.find((e) => e.details.supervisedSubmissionId === id)?.annex).toEqual({
      reason: REASON,
    });
    const late = await acknowledge(id, headers.second);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SUPERVISED_SUBMISSION_DECIDED');
  });

  it('a supervisor does not decide their own submission; another supervisor does', async () => {
    const id = await keptFor('FR-SUP-2026-3', supervisor());
    for (const refused of [await acknowledge(id, supervisor()), await decline(id, supervisor())]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('SEPARATION_OF_DUTIES');
    }
    expect(
      await count(
        `audit_log where event = 'access.denied' and details->>'code' = $1 and details->>'path' like $2`,
        ['SEPARATION_OF_DUTIES', '/api/v1/supervision/%'],
      ),
    ).toBe(2);
    expect((await own(id, supervisor())).body.status).toBe('awaiting-supervisor');
    const sent = await acknowledge(id, headers.second);
    expect(sent.status).toBe(202);
    expect((await own(id, supervisor())).body).toMatchObject({
      status: 'acknowledged',
      decidedBy: actor(SECOND_SUPERVISOR),
    });
  });

  it('two supervisors deciding at once: exactly one decision stands', async () => {
    const both = await keptFor('FR-SUP-2026-4');
    const acks = await Promise.all([
      acknowledge(both, supervisor()),
      acknowledge(both, headers.second),
    ]);
    expect(acks.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(acks.find((a) => a.status === 409)!.body.error.code).toBe(
      'SUPERVISED_SUBMISSION_DECIDED',
    );
    expect(await count(`requests where case_reference = $1`, ['FR-SUP-2026-4'])).toBe(1);
    expect(await count(`messages where case_reference = $1`, ['FR-SUP-2026-4'])).toBe(1);
    expect(await audited('supervision.acknowledged', both)).toHaveLength(1);

    const mixed = await keptFor('FR-SUP-2026-5');
    const [acked, declined] = await Promise.all([
      acknowledge(mixed, supervisor()),
      decline(mixed, headers.second),
    ]);
    const statuses = [acked.status, declined.status];
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    const final = (await own(mixed)).body.status;
    expect(final).toBe(acked.status === 202 ? 'acknowledged' : 'declined');
    expect(await count(`messages where case_reference = $1`, ['FR-SUP-2026-5'])).toBe(
      final === 'acknowledged' ? 1 : 0,
    );
    expect(
      (await audited('supervision.acknowledged', mixed)).length +
        (await audited('supervision.declined', mixed)).length,
    ).toBe(1);
  });

  it('answers an unknown id 404 and every other role 403', async () => {
    for (const call of [
      supervision(`/${UNKNOWN_ID}`, supervisor()),
      acknowledge(UNKNOWN_ID, supervisor()),
      decline(UNKNOWN_ID, supervisor()),
      own(UNKNOWN_ID),
    ]) {
      const answer = await call;
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('SUPERVISED_SUBMISSION_NOT_FOUND');
    }
    // Someone else's submission is not found on the submitters' route either.
    const theirs = await keptFor('FR-SUP-2026-6');
    expect((await own(theirs, headers.second)).status).toBe(404);
    for (const role of ['central-authority-officer', 'auditor'] as const) {
      for (const answer of [
        await supervision('', headers[role]),
        await supervision(`/${theirs}`, headers[role]),
        await acknowledge(theirs, headers[role]),
        await decline(theirs, headers[role]),
      ]) {
        expect([role, answer.status, answer.body.error.code]).toEqual([
          role,
          403,
          'PERMISSION_DENIED',
        ]);
      }
    }
    expect(
      (
        await api<ApiError>(`${network.url(FR)}/api/v1/supervised-submissions`, {
          headers: headers.auditor,
        })
      ).status,
    ).toBe(403);
    expect((await own(theirs)).body.status).toBe('awaiting-supervisor');
  });

  it('the files of a kept draft are held while it waits (the expiry passes them by, no other message takes them), sent when acknowledged, released when declined', async () => {
    const [sent, declined, unused] = [
      await upload('statements-sent.txt'),
      await upload('statements-declined.txt'),
      await upload('statements-unused.txt'),
    ];
    const toSend = await keep('FR-SUP-2026-F1', [sent]);
    const toDecline = await keep('FR-SUP-2026-F2', [declined]);
    expect(await uploadRow(sent)).toMatchObject({ state: 'held', held_for: toSend });
    expect(await uploadRow(declined)).toMatchObject({ state: 'held', held_for: toDecline });

    // Not attachable to another message while the item waits: refused before any decision.
    const taken = await submit(withFiles('FR-SUP-2026-F3', [sent]), caseworker());
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('UPLOAD_NOT_ATTACHABLE');
    expect(taken.body.error.details[0]).toMatchObject({
      state: 'held',
      supervisedSubmissionId: toSend,
    });
    expect(
      await count(`supervised_submissions where case_reference = $1`, ['FR-SUP-2026-F3']),
    ).toBe(0);

    // The expiry runs while the items wait: the unused upload goes, the held ones stay.
    await waitFor(
      async () => (await uploadRow(unused)).state === 'expired',
      'the expiry of the unused upload',
      UPLOAD_TTL_MS * 5,
    );
    expect(await uploadRow(sent)).toMatchObject({ state: 'held', held_for: toSend });
    expect(await uploadRow(declined)).toMatchObject({ state: 'held', held_for: toDecline });

    // Acknowledged: the draft goes with its file, bound to the message sent.
    const acknowledged = await acknowledge(toSend, supervisor());
    expect(acknowledged.status).toBe(202);
    const [{ messageId }] = acknowledged.body.messages;
    expect(await uploadRow(sent)).toMatchObject({
      state: 'attached',
      held_for: null,
      message_id: messageId,
    });
    expect(await count(`message_attachments where message_id = $1`, [messageId])).toBe(1);

    // Declined: the file is the caseworker's again, attachable, and expires in the usual time.
    expect((await decline(toDecline, supervisor())).status).toBe(200);
    const released = await uploadRow(declined);
    expect(released).toMatchObject({ state: 'complete', held_for: null });
    expect(released.released_at).not.toBeNull();
    await waitFor(
      async () => (await uploadRow(declined)).state === 'expired',
      'the expiry of the released upload',
      UPLOAD_TTL_MS * 5,
    );
    // Counted from the release, not from the upload.
    const expired = await uploadRow(declined);
    expect(expired.expired_at!.getTime() - expired.released_at!.getTime()).toBeGreaterThanOrEqual(
      UPLOAD_TTL_MS,
    );
  });
  it('a hard block found meanwhile still blocks: no acknowledgement lifts it, its file is released', async () => {
    const file = await upload('statements-blocked.txt');
    const id = await keep('FR-SUP-2026-7', [file]);
    expect(await uploadRow(file)).toMatchObject({ state: 'held', held_for: id });
    // Meanwhile the asylum authority registers the person the draft names, shielded from NG.
    const registered = await api<{ entryId: string }>(
      `${network.url(FR)}/api/v1/register/entries`,
      {
        method: 'POST',
        headers: await as(network, FR, 'asylum-authority-officer'),
        body: JSON.stringify({
          names: [{ familyNames: ['Okoro'], givenNames: ['Sunday'] }],
          shieldFrom: ['NG'],
        }),
      },
    );
    expect(registered.status).toBe(201);
    const blocked = await acknowledge(id, supervisor());
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toMatchObject({ code: 'POLICY_BLOCKED', message: 'Blocked by H-1' });
    expect(await count(`messages where case_reference = $1`, ['FR-SUP-2026-7'])).toBe(0);
    const status = await own(id);
    expect(status.body).toMatchObject({ status: 'blocked', decidedBy: SUPERVISOR() });
    expect(status.body.outcome).toMatchObject({ code: 'POLICY_BLOCKED', rules: ['H-1'] });
    expect(await uploadRow(file)).toMatchObject({ state: 'complete', held_for: null });
    const [entry] = await audited('supervision.blocked', id);
    expect(entry).toMatchObject({ actor: SUPERVISOR(), details: { rules: ['H-1'] } });
    // Decided: it no longer waits.
    expect((await decline(id, headers.second)).status).toBe(409);
  });

  it('a caseworker’s refusal of a request waits for a supervisor’s sign-off, then goes', async () => {
    const ngOfficer = await as(network, NG, 'central-authority-officer');
    const ngSupervisor = await as(network, NG, 'supervisor');
    const answer = (messageType: string, body: object) =>
      api<SubmissionAccepted & ApiError>(
        `${network.url(NG)}/api/v1/requests/${sentRequestId}/messages`,
        { method: 'POST', headers: ngOfficer, body: JSON.stringify({ messageType, body }) },
      );
    const requestOn = async (authorityId: string) =>
      (
        await api<{ status: string; thread: Array<{ messageType: string }> }>(
          `${network.url(authorityId)}/api/v1/requests/${sentRequestId}`,
          { headers: authorityId === NG ? ngSupervisor : supervisor() },
        )
      ).body;
    await waitFor(async () => (await requestOn(NG)).status !== undefined, 'the request at NG');
    expect((await answer('acknowledgement', MLA_ANSWERS.acknowledgement('NG-CA-1'))).status).toBe(
      202,
    );
    const consultation = await answer('consultation', MLA_ANSWERS.consultation);
    expect(consultation.status).toBe(202);

    const refusal = await answer(
      'refusal',
      MLA_ANSWERS.refusal(consultation.body.messages[0].messageId),
    );
    expect(refusal.status).toBe(409);
    expect(refusal.body.error.code).toBe('SUPERVISOR_SIGN_OFF_REQUIRED');
    expect(refusal.body.error.details.map((d) => d.rule)).toEqual(['SIGN-OFF']);
    const id = String(refusal.body.error.details[0].supervisedSubmissionId);
    // Nothing sent: NG's request is still acknowledged, its thread without a refusal.
    const held = await requestOn(NG);
    expect(held.status).toBe('acknowledged');
    expect(held.thread.map((m) => m.messageType)).not.toContain('refusal');

    const listed = await api<SupervisedSubmissionView[]>(
      `${network.url(NG)}/api/v1/supervision/submissions?status=awaiting-supervisor`,
      { headers: ngSupervisor },
    );
    const item = listed.body.find((entry) => entry.id === id);
    expect(item).toMatchObject({ messageType: 'refusal', requestId: sentRequestId });
    expect(item!.warnings.map((w) => w.ruleId)).toEqual(['SIGN-OFF']);
    expect(item!.warnings[0].legalBasis).toContain('UNTOC 18(23)');

    const signedOff = await api<SubmissionAccepted & ApiError>(
      `${network.url(NG)}/api/v1/supervision/submissions/${id}/acknowledge`,
      {
        method: 'POST',
        headers: ngSupervisor,
        body: JSON.stringify({
          acknowledgements: [{ ruleId: 'SIGN-OFF', justification: 'Grounds checked: 18(21)(b).' }],
        }),
      },
    );
    expect(signedOff.status).toBe(202);
    await waitFor(async () => (await requestOn(FR)).status === 'refused', 'FR sees the refusal');
    const ngDb = nodeDatabase(network, NG);
    try {
      const { rows } = await ngDb.query<{ actor: string; details: Record<string, unknown> }>(
        `select actor, details from audit_log where event = 'supervision.acknowledged' and details->>'supervisedSubmissionId' = $1`,
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actor: `${accountName(NG, 'supervisor')}@${NG}`,
        details: { rules: ['SIGN-OFF'] },
      });
    } finally {
      await ngDb.end();
    }
  });
});
