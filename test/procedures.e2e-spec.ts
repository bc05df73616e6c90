import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { DeadlineView, RequestDetail, RequestView } from '#libs/cases';
import {
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  ROUTING_HEADERS,
  type EnvelopePayload,
} from '#libs/envelope';
import {
  ASSET_ANSWERS,
  freezeRequest,
  JIT_MESSAGES,
  jitAgreement,
  jitProposal,
  LocalNetwork,
  MLA_ANSWERS,
  mlaRequest,
  SAMPLE_HANDLING,
  sealThroughPolicy,
  VERIFICATION_ANSWERS,
  verificationRequest,
} from '#tools/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import { api, keysOf, nodeDatabase, signIn, waitFor } from './support/network.js';

/*
 * The four procedures end to end across real nodes (a gateway and a worker process each), through
 * the HTTP API only: every step is a signed, encrypted message between two or three nodes, and
 * after each step both (or all) nodes must hold the same procedure state and deadline clocks.
 * Deadline expiries are reached by moving the shared offset clock (GATEWAY_CLOCK_OFFSET_FILE).
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';
const RS = 'RS-MUP-UGP';
/** Cambodia: a State date-holidays has no calendar for (its working days count weekends only). */
const KH = 'KH-MOJ-DICA';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const CASE = 'FR-PNAT-2026-0147';
const HOUR = 3600_000;

const WORK_DIR = join(tmpdir(), 'gateway-e2e-procedures');
const OFFSET_FILE = join(WORK_DIR, 'clock-offset-ms');

interface ApiError {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
}

describe('the four procedures across real nodes', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};

  /** Requests opened by FR in this file, by what the listing tests expect of them. */
  const opened: Record<string, string> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_procedures',
      workDir: WORK_DIR,
      // 4222 is NATS's default port (the mailbox bus): the nodes take the other ports of 4221-4226.
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4221,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Federal Ministry of Justice, Central Authority Unit',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4223,
        },
        {
          authorityId: IT,
          state: 'IT',
          name: 'Direzione generale degli affari internazionali',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4224,
        },
        {
          authorityId: RS,
          state: 'RS',
          name: 'Ministry of Interior, Border Police Administration',
          kind: 'immigration-repatriation',
          procedures: ['nationality-verification'],
          port: 4225,
        },
        {
          authorityId: KH,
          state: 'KH',
          name: 'Ministry of Justice, Department of International Cooperation',
          kind: 'central-authority',
          procedures: ['assets'],
          port: 4226,
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '1000',
        // The clock jumps days ahead: the feed finds the timers then due within a second.
        GATEWAY_DEADLINE_FEED_INTERVAL_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_CLOCK_OFFSET_FILE: OFFSET_FILE,
      },
    });
    // LocalNetwork.create wiped the work directory: the offset file is written after it.
    writeFileSync(OFFSET_FILE, '0');
    await signIn(network);
    await network.startAll();
    for (const id of [FR, NG, IT, RS, KH]) db[id] = nodeDatabase(network, id);
    // What each authority has on record for the safeguards: the case's legal basis (W-2) and, for
    // the returns, a voluntary return after an individual risk assessment (H-4, W-1).
    const facts: Array<[string, Record<string, unknown>]> = [
      [CASE, { procedure: 'mla', legalBasisRecorded: true }],
      ...['FR-OFII-2026-0932', 'FR-OFII-2026-1177'].map(
        (reference): [string, Record<string, unknown>] => [
          reference,
          {
            procedure: 'nationality-verification',
            legalBasisRecorded: true,
            persons: [
              {
                personIndex: 0,
                subjectOfCase: true,
                asylum: { status: 'none', shieldFrom: [] },
                riskAssessment: {
                  done: true,
                  at: new Date().toISOString().slice(0, 10),
                  outcome: 'no-risk',
                },
                returnVoluntary: true,
                openProceedings: [],
              },
            ],
          },
        ],
      ),
    ];
    for (const id of [FR, NG, IT, RS, KH]) {
      for (const [reference, caseFacts] of facts) {
        const { status } = await api(`${network.url(id)}/api/v1/cases/${reference}/facts`, {
          method: 'PUT',
          // Recorded by each node's supervisor: relaxing what nobody recorded needs a reason.
          body: JSON.stringify({ ...caseFacts, justification: 'Recorded from the case file' }),
        });
        expect(status).toBe(200);
      }
    }
  });

  afterAll(async () => {
    writeFileSync(OFFSET_FILE, '0');
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers: an officer's HTTP calls, waiting for deliveries, comparing nodes.

  const url = (authorityId: string, path: string) => `${network.url(authorityId)}${path}`;

  function accepted(status: number, body: unknown, what: string): SubmissionAccepted {
    if (status !== 202) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
    return body as SubmissionAccepted;
  }

  async function open(from: string, draft: Record<string, unknown>): Promise<SubmissionAccepted> {
    const { status, body } = await api(url(from, '/api/v1/messages'), {
      method: 'POST',
      body: JSON.stringify({ handling: SAMPLE_HANDLING, caseReference: CASE, ...draft }),
    });
    return accepted(status, body, `${from} opening ${String(draft.messageType)}`);
  }

  const attempt = (from: string, requestId: string, messageType: string, body: object) =>
    api<SubmissionAccepted | ApiError>(url(from, `/api/v1/requests/${requestId}/messages`), {
      method: 'POST',
      body: JSON.stringify({ messageType, body }),
    });

  async function reply(
    from: string,
    requestId: string,
    messageType: string,
    body: object,
  ): Promise<SubmissionAccepted> {
    const { status, body: answer } = await attempt(from, requestId, messageType, body);
    return accepted(status, answer, `${from} ${messageType}`);
  }

  async function blocked(
    from: string,
    requestId: string,
    messageType: string,
    body: object,
  ): Promise<ApiError['error']> {
    const { status, body: answer } = await attempt(from, requestId, messageType, body);
    expect({ status, code: (answer as ApiError).error?.code }).toEqual({
      status: 403,
      code: 'POLICY_BLOCKED',
    });
    return (answer as ApiError).error;
  }

  async function refused(
    from: string,
    requestId: string,
    messageType: string,
    body: object,
  ): Promise<ApiError['error']> {
    const { status, body: answer } = await attempt(from, requestId, messageType, body);
    expect({ status, code: (answer as ApiError).error?.code }).toEqual({
      status: 409,
      code: 'PROCEDURE_TRANSITION_REFUSED',
    });
    return (answer as ApiError).error;
  }

  async function message(authorityId: string, messageId: string): Promise<MessageDetail> {
    const { status, body } = await api<MessageDetail>(
      url(authorityId, `/api/v1/messages/${messageId}`),
    );
    expect(status).toBe(200);
    return body;
  }

  async function request(authorityId: string, requestId: string): Promise<RequestDetail> {
    const { status, body } = await api<RequestDetail>(
      url(authorityId, `/api/v1/requests/${requestId}`),
    );
    if (status !== 200)
      throw new Error(`${authorityId} has no request ${requestId}: ${JSON.stringify(body)}`);
    return body;
  }

  async function list(authorityId: string, query: string): Promise<RequestView[]> {
    const { status, body } = await api<RequestView[]>(url(authorityId, `/api/v1/requests${query}`));
    expect(status).toBe(200);
    return body;
  }

  /** Waits until every copy of a sent message is delivered: the recipient stored it and signed its receipt. */
  async function delivered(from: string, sent: SubmissionAccepted): Promise<void> {
    await Promise.all(
      sent.messages.map(({ messageId, recipient }) =>
        waitFor(async () => {
          const { status } = await message(from, messageId);
          if (status === 'failed') throw new Error(`${from} → ${recipient} ${messageId} failed`);
          return status === 'delivered';
        }, `delivery of ${messageId} from ${from} to ${recipient}`),
      ),
    );
  }

  /** What two nodes must agree on. JIT acceptances may arrive in any order: compared as a set. */
  function shared(detail: RequestDetail) {
    const state = { ...detail.state };
    if (Array.isArray(state.accepted)) state.accepted = [...(state.accepted as string[])].sort();
    return {
      id: detail.id,
      procedure: detail.procedure,
      caseReference: detail.caseReference,
      status: detail.status,
      state,
      suggestedDeadline: detail.suggestedDeadline,
      deadlines: detail.deadlines.map((d) => ({
        profileId: d.profileId,
        status: d.status,
        suggestedDueAt: d.suggestedDueAt,
        executingState: d.executingState,
        timeZone: d.timeZone,
        calendar: d.calendar,
        extensions: d.extensions,
      })),
    };
  }

  /** Reads the request on every party and checks they all hold the same state, in the status expected. */
  async function agreed(
    requestId: string,
    parties: string[],
    status: string,
  ): Promise<Record<string, RequestDetail>> {
    const details = Object.fromEntries(
      await Promise.all(parties.map(async (id) => [id, await request(id, requestId)] as const)),
    );
    const views = Object.fromEntries(parties.map((id) => [id, shared(details[id])]));
    expect(views[parties[0]].status).toBe(status);
    expect(views[parties[0]].state.status).toBe(status);
    expect(views).toEqual(Object.fromEntries(parties.map((id) => [id, views[parties[0]]])));
    return details;
  }

  /** One step of a procedure: the message reaches every recipient, and every party agrees on the state. */
  async function step(
    from: string,
    sent: SubmissionAccepted,
    parties: string[],
    status: string,
  ): Promise<Record<string, RequestDetail>> {
    await delivered(from, sent);
    const details = await agreed(sent.requestId, parties, status);
    for (const { messageId, recipient } of sent.messages) {
      const mine = (id: string) => details[id].thread.find((m) => m.messageId === messageId);
      expect(mine(from)).toMatchObject({ direction: 'outbound', status: 'delivered' });
      expect(mine(recipient)).toMatchObject({ direction: 'inbound', status: 'received' });
    }
    return details;
  }

  const deadline = (detail: RequestView, profileId: string): DeadlineView => {
    const found = detail.deadlines.find((d) => d.profileId === profileId);
    if (!found) throw new Error(`request ${detail.id} has no ${profileId} deadline`);
    return found;
  };

  /** When the receiving node stored a message (and moved its clocks): its signed receipt's instant. */
  const receivedAt = async (authorityId: string, messageId: string) =>
    Date.parse((await message(authorityId, messageId)).receipt!.receivedAt);

  /** Moves every node's clock: processes re-read the file at most 200 ms later. */
  async function moveClock(offsetMs: number): Promise<void> {
    writeFileSync(OFFSET_FILE, String(Math.round(offsetMs)));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  /** Moves the clock just past the latest of these due instants. */
  const movePast = (dueAts: string[]) =>
    moveClock(Math.max(...dueAts.map((d) => Date.parse(d))) - Date.now() + 60_000);

  async function auditOf(authorityId: string, event: string, requestId: string) {
    const { rows } = await db[authorityId].query<{ details: Record<string, unknown> }>(
      `select details from audit_log where event = $1 and details->>'requestId' = $2 order by id`,
      [event, requestId],
    );
    return rows.map((r) => r.details);
  }

  const evidenceKinds = async (authorityId: string, messageId: string) =>
    (await message(authorityId, messageId)).evidences.map((e) => e.kind);

  // ---------------------------------------------------------------------------------------------

  describe('mutual legal assistance (UNTOC art. 18)', () => {
    // The sample request suggests a date four months ahead (UNTOC 18(24)); it counts to the end of that day.
    const SUGGESTED_DUE = `${(mlaRequest(FR).suggestedDeadline as { date: string }).date}T23:59:59.999Z`;

    const openMla = async (body: Record<string, unknown> = mlaRequest(FR)) => {
      const sent = await open(FR, {
        procedure: 'mla',
        messageType: 'request',
        recipients: [NG],
        body,
      });
      await step(FR, sent, [FR, NG], 'delivered');
      return sent.requestId;
    };

    const acknowledged = async (id: string) =>
      step(
        NG,
        await reply(NG, id, 'acknowledgement', MLA_ANSWERS.acknowledgement('NG-CA-2026-311')),
        [FR, NG],
        'acknowledged',
      );

    it('runs from request to execution; a request for information stops the clock', async () => {
      const id = await openMla();
      opened.mlaExecuted = id;
      let nodes = await agreed(id, [FR, NG], 'delivered');
      for (const node of [FR, NG]) {
        expect(deadline(nodes[node], 'untoc-mla')).toMatchObject({
          status: 'running',
          // The requesting State's suggested deadline governs (18(24)), on both nodes.
          dueAt: SUGGESTED_DUE,
          suggestedDueAt: SUGGESTED_DUE,
          executingState: 'NG',
          serviceLevel: true,
        });
      }
      expect(nodes[FR]).toMatchObject({ role: 'requesting', counterparts: [NG] });
      expect(nodes[NG]).toMatchObject({ role: 'requested', counterparts: [FR] });

      await acknowledged(id);

      const question = await reply(
        NG,
        id,
        'additional-information-request',
        MLA_ANSWERS.additionalInformationRequest,
      );
      nodes = await step(NG, question, [FR, NG], 'additional-information-requested');
      const questionId = question.messages[0].messageId;
      // Both nodes stop the clock at the question's signed creation time, whenever it arrived.
      const pausedAt: Record<string, number> = {
        [NG]: Date.parse(question.createdAt),
        [FR]: Date.parse(question.createdAt),
      };
      expect(await receivedAt(FR, questionId)).toBeGreaterThanOrEqual(pausedAt[FR]);
      for (const node of [FR, NG]) {
        expect(deadline(nodes[node], 'untoc-mla')).toMatchObject({
          status: 'paused',
          pausedAt: new Date(pausedAt[node]).toISOString(),
          dueAt: SUGGESTED_DUE,
          remainingMs: null,
        });
      }

      const answer = await reply(
        FR,
        id,
        'additional-information',
        MLA_ANSWERS.additionalInformation,
      );
      nodes = await step(FR, answer, [FR, NG], 'additional-information-provided');
      const resumedAt: Record<string, number> = {
        [FR]: Date.parse(answer.createdAt),
        [NG]: Date.parse(answer.createdAt),
      };
      for (const node of [FR, NG]) {
        const clock = deadline(nodes[node], 'untoc-mla');
        expect(clock).toMatchObject({ status: 'running', pausedAt: null });
        // The due instant moves by exactly the time the clock stood still, the same on both nodes.
        const paused = resumedAt[node] - pausedAt[node];
        expect(paused).toBeGreaterThan(0);
        expect(Date.parse(clock.dueAt) - Date.parse(SUGGESTED_DUE)).toBe(paused);
      }

      await step(
        NG,
        await reply(NG, id, 'progress-answer', MLA_ANSWERS.progressAnswer),
        [FR, NG],
        'in-execution',
      );
      nodes = await step(
        NG,
        await reply(NG, id, 'execution-result', MLA_ANSWERS.executionResult),
        [FR, NG],
        'executed',
      );
      for (const node of [FR, NG]) expect(deadline(nodes[node], 'untoc-mla').status).toBe('met');
      expect(nodes[FR].thread.map((m) => m.messageType)).toEqual([
        'request',
        'acknowledgement',
        'additional-information-request',
        'additional-information',
        'progress-answer',
        'execution-result',
      ]);
      expect(nodes[NG].thread.map((m) => m.messageId)).toEqual(
        nodes[FR].thread.map((m) => m.messageId),
      );
    });

    it('refuses only after a consultation (18(26)); the sender’s own node enforces it', async () => {
      const id = await openMla();
      opened.mlaRefused = id;
      await acknowledged(id);

      const error = await refused(NG, id, 'refusal', MLA_ANSWERS.refusal('none'));
      expect(error.details).toEqual([
        expect.objectContaining({ rule: 'UNTOC 18(26)', messageType: 'refusal' }),
      ]);
      expect(error.message).toContain('UNTOC 18(26)');
      // Nothing was sent: neither node holds a refusal, both are still acknowledged.
      const nodes = await agreed(id, [FR, NG], 'acknowledged');
      for (const node of [FR, NG])
        expect(nodes[node].thread.map((m) => m.messageType)).not.toContain('refusal');
      // Each node offers its own side what may come next: no refusal or postponement yet.
      const beforeConsultation = [
        'additional-information-request',
        'progress-answer',
        'partial-execution',
        'execution-result',
        'consultation',
        'confidentiality-impossible',
      ];
      expect(nodes[NG].nextMessageTypes).toEqual(beforeConsultation);
      const requesting = ['progress-inquiry', 'consultation', 'withdrawal', 'no-longer-required'];
      expect(nodes[FR].nextMessageTypes).toEqual(requesting);

      const consultation = await reply(NG, id, 'consultation', MLA_ANSWERS.consultation);
      const consulted = await step(NG, consultation, [FR, NG], 'acknowledged');
      expect(consulted[FR].state.consultationHeld).toBe(true);
      // The consultation opens the refusal and the postponement (18(26)), on the requested node.
      expect(consulted[NG].nextMessageTypes).toEqual([
        ...beforeConsultation.slice(0, 5),
        'postponement',
        'refusal',
        'confidentiality-impossible',
      ]);
      expect(consulted[FR].nextMessageTypes).toEqual(requesting);

      const done = await step(
        NG,
        await reply(NG, id, 'refusal', MLA_ANSWERS.refusal(consultation.messages[0].messageId)),
        [FR, NG],
        'refused',
      );
      for (const node of [FR, NG]) expect(deadline(done[node], 'untoc-mla').status).toBe('met');
      for (const node of [FR, NG]) expect(done[node].nextMessageTypes).toEqual([]);
      // A settled request takes no further answer.
      await refused(NG, id, 'execution-result', MLA_ANSWERS.executionResult);
    });

    it('postpones after a consultation; a second postponement needs a consultation of its own', async () => {
      const id = await openMla();
      opened.mlaPostponed = id;
      await acknowledged(id);
      expect(
        (await refused(NG, id, 'postponement', MLA_ANSWERS.postponement('x'))).details,
      ).toEqual([expect.objectContaining({ rule: 'UNTOC 18(26)' })]);

      // Either side may open the consultation: here the requesting State does.
      const consultation = await reply(FR, id, 'consultation', {
        topic: 'possible-postponement',
        text: 'Could execution wait until the arrests in Lagos?',
      });
      await step(FR, consultation, [FR, NG], 'acknowledged');
      const nodes = await step(
        NG,
        await reply(
          NG,
          id,
          'postponement',
          MLA_ANSWERS.postponement(consultation.messages[0].messageId),
        ),
        [FR, NG],
        'postponed',
      );
      expect(nodes[FR].state.consultationHeld).toBe(false);
      // Postponed is not settled: the clock keeps running.
      for (const node of [FR, NG])
        expect(deadline(nodes[node], 'untoc-mla').status).toBe('running');
      await refused(NG, id, 'postponement', MLA_ANSWERS.postponement('again'));
    });

    it('is withdrawn by the requesting side at any time', async () => {
      const id = await openMla();
      opened.mlaWithdrawn = id;
      const { status, body } = await api(url(FR, `/api/v1/requests/${id}/withdraw`), {
        method: 'POST',
        body: JSON.stringify({ reasons: 'The suspect was arrested in France' }),
      });
      const withdrawal = accepted(status, body, 'withdraw');
      const nodes = await step(FR, withdrawal, [FR, NG], 'withdrawn');
      for (const node of [FR, NG]) expect(deadline(nodes[node], 'untoc-mla').status).toBe('met');
      const received = await message(NG, withdrawal.messages[0].messageId);
      expect(received).toMatchObject({ messageType: 'withdrawal', sender: FR });
      expect(received.payload.body).toEqual({ reasons: 'The suspect was arrested in France' });
      // Only the requesting side withdraws.
      const { status: byRequested } = await api(url(NG, `/api/v1/requests/${id}/withdraw`), {
        method: 'POST',
        body: JSON.stringify({ reasons: 'no' }),
      });
      expect(byRequested).toBe(409);
    });

    it('rejects a request without a summary of the facts (18(15)(c)) before anything is sent', async () => {
      const before = await list(FR, '?procedure=mla');
      const body: Record<string, unknown> = mlaRequest(FR);
      delete body.summaryOfFacts;
      const { status, body: answer } = await api<ApiError>(url(FR, '/api/v1/messages'), {
        method: 'POST',
        body: JSON.stringify({
          procedure: 'mla',
          messageType: 'request',
          recipients: [NG],
          caseReference: CASE,
          handling: SAMPLE_HANDLING,
          body,
        }),
      });
      expect(status).toBe(400);
      expect(answer.error.code).toBe('VALIDATION_FAILED');
      expect(answer.error.details).toContainEqual(
        expect.objectContaining({ field: 'body.summaryOfFacts', rule: 'UNTOC 18(15)(c)' }),
      );
      expect((await list(FR, '?procedure=mla')).map((r) => r.id)).toEqual(before.map((r) => r.id));
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('joint investigation team (UNTOC art. 19) of three States', () => {
    const parties = [FR, NG, IT];
    let id: string;

    it('goes from a proposal fan-out through the agreement and acceptances to active on all three', async () => {
      const proposal = await open(FR, {
        procedure: 'jit',
        messageType: 'proposal',
        recipients: [NG, IT],
        body: jitProposal(parties),
      });
      id = proposal.requestId;
      opened.jit = id;
      expect(proposal.messages.map((m) => m.recipient).sort()).toEqual([IT, NG]);
      let nodes = await step(FR, proposal, parties, 'proposed');
      for (const node of parties) {
        expect(nodes[node].role).toBe('member');
        expect([...nodes[node].counterparts].sort()).toEqual(
          parties.filter((p) => p !== node).sort(),
        );
        expect(nodes[node].state.parties).toEqual(parties);
      }

      const draft = jitAgreement(parties);
      nodes = await step(FR, await reply(FR, id, 'agreement', draft), parties, 'agreed');
      for (const node of parties) {
        expect(nodes[node].state).toMatchObject({ accepted: [FR], end: draft.duration.end });
        // The agreement's end date is the team's clock, the same instant on every node.
        expect(deadline(nodes[node], 'jit-agreement')).toMatchObject({
          status: 'running',
          dueAt: `${draft.duration.end}T23:59:59.999Z`,
          executingState: 'FR',
        });
      }

      nodes = await step(
        NG,
        await reply(NG, id, 'acceptance', JIT_MESSAGES.acceptance('Ngozi Adeyemi')),
        parties,
        'agreed',
      );
      expect([...(nodes[IT].state.accepted as string[])].sort()).toEqual([FR, NG]);
      // NG has accepted: it cannot accept twice.
      await refused(NG, id, 'acceptance', JIT_MESSAGES.acceptance('Ngozi Adeyemi'));

      // Before every party has accepted, FR amends the text (a longer team): all accept anew, and
      // the team's clock follows the amended end date.
      const end = new Date(Date.now() + 240 * 86_400_000).toISOString().slice(0, 10);
      const amended = { ...draft, duration: { ...draft.duration, end } };
      nodes = await step(FR, await reply(FR, id, 'agreement', amended), parties, 'agreed');
      for (const node of parties) {
        expect(nodes[node].state).toMatchObject({ accepted: [FR], end });
        expect(deadline(nodes[node], 'jit-agreement')).toMatchObject({
          status: 'running',
          dueAt: `${end}T23:59:59.999Z`,
        });
      }
      await step(
        NG,
        await reply(NG, id, 'acceptance', JIT_MESSAGES.acceptance('Ngozi Adeyemi')),
        parties,
        'agreed',
      );

      nodes = await step(
        IT,
        await reply(IT, id, 'acceptance', JIT_MESSAGES.acceptance('Marco Rossi')),
        parties,
        'active',
      );
      for (const node of parties)
        expect([...(nodes[node].state.accepted as string[])].sort()).toEqual([...parties].sort());
    });

    it('fans operational messages out to every other member', async () => {
      const sent = await reply(FR, id, 'operational-message', JIT_MESSAGES.operational);
      expect(sent.messages.map((m) => m.recipient).sort()).toEqual([IT, NG]);
      await step(FR, sent, parties, 'active');
      for (const { messageId, recipient } of sent.messages) {
        const received = await message(recipient, messageId);
        expect(received).toMatchObject({
          direction: 'inbound',
          status: 'received',
          sender: FR,
          recipient,
          messageType: 'operational-message',
        });
        expect(received.payload.requestId).toBe(id);
        expect(received.payload.body).toEqual(JIT_MESSAGES.operational);
      }
      // A member's answer goes to the two others too.
      const answer = await reply(IT, id, 'operational-message', {
        subject: 'Surveillance',
        text: 'Seen at Milano Centrale.',
      });
      expect(answer.messages.map((m) => m.recipient).sort()).toEqual([FR, NG]);
      await step(IT, answer, parties, 'active');
    });

    it('needs the approval of the territorial State’s member for an action on its territory (H-9)', async () => {
      const action = {
        actionId: 'ACT-1',
        territoryState: 'IT',
        description: 'Search of a flat in Milan used by the recruiters',
      };
      const operation = {
        subject: 'Search in Milan',
        text: 'The French officers join the search at 06:00.',
        territoryState: 'IT',
        actionId: 'ACT-1',
      };

      // Without an approval request, FR cannot announce an action on Italian territory: the policy
      // decision point stops it (a hard block), before the procedure would.
      expect((await blocked(FR, id, 'operational-message', operation)).details).toEqual([
        expect.objectContaining({ rule: 'H-9' }),
      ]);
      // An action on the territory of a State with no member cannot be approved by anyone.
      expect(
        (
          await refused(FR, id, 'action-approval-request', {
            ...action,
            actionId: 'ACT-DE',
            territoryState: 'DE',
          })
        ).details,
      ).toEqual([expect.objectContaining({ rule: 'H-9' })]);

      let nodes = await step(
        FR,
        await reply(FR, id, 'action-approval-request', action),
        parties,
        'active',
      );
      for (const node of parties)
        expect(nodes[node].state.actions).toEqual([
          { actionId: 'ACT-1', territoryState: 'IT', requestedBy: FR, decision: 'pending' },
        ]);

      // Pending is not approved.
      expect((await blocked(FR, id, 'operational-message', operation)).details).toEqual([
        expect.objectContaining({ rule: 'H-9' }),
      ]);
      // NG's member cannot approve an action in Italy, neither through its own node…
      expect(
        (await refused(NG, id, 'action-approval', { actionId: 'ACT-1', approved: true })).details,
      ).toEqual([expect.objectContaining({ rule: 'H-9' })]);
      // …nor by a correctly signed envelope sent straight to FR: the receiving node applies the same rule.
      const [ngKeys, frKeys] = await Promise.all([keysOf(network, NG), keysOf(network, FR)]);
      const forged: EnvelopePayload = {
        formatVersion: 1,
        messageId: uuidv7(),
        procedure: 'jit',
        messageType: 'action-approval',
        requestId: id,
        deadlineProfiles: [],
        sender: NG,
        recipient: FR,
        createdAt: new Date().toISOString(),
        inReplyTo: null,
        caseReference: CASE,
        handling: SAMPLE_HANDLING,
        body: { actionId: 'ACT-1', approved: true },
        attachments: [],
      };
      const armored = await sealThroughPolicy(
        forged,
        { signingKey: ngKeys.privateKey, recipientKey: frKeys.publicKey },
        { facts: { legalBasisRecorded: true } },
      );
      const direct = await api<ApiError>(url(FR, INBOUND_PATH), {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: NG,
          [ROUTING_HEADERS.recipient]: FR,
          [ROUTING_HEADERS.messageId]: forged.messageId,
        },
        body: armored,
      });
      expect(direct.status).toBe(409);
      expect(direct.body.error.code).toBe('PROCEDURE_TRANSITION_REFUSED');
      expect(direct.body.error.details).toEqual([expect.objectContaining({ rule: 'H-9' })]);
      const rejected = await db[FR].query(
        `select 1 from audit_log where event = 'message.rejected' and details->>'claimedMessageId' = $1`,
        [forged.messageId],
      );
      expect(rejected.rowCount).toBe(1);
      expect((await agreed(id, parties, 'active'))[FR].state.actions).toEqual([
        expect.objectContaining({ actionId: 'ACT-1', decision: 'pending' }),
      ]);

      // The Italian member approves: the decision reaches both other members.
      const approval = await reply(IT, id, 'action-approval', {
        actionId: 'ACT-1',
        approved: true,
        conditions: 'Led by the Polizia di Stato',
      });
      expect(approval.messages.map((m) => m.recipient).sort()).toEqual([FR, NG]);
      nodes = await step(IT, approval, parties, 'active');
      for (const node of parties)
        expect(nodes[node].state.actions).toEqual([
          { actionId: 'ACT-1', territoryState: 'IT', requestedBy: FR, decision: 'approved' },
        ]);
      await refused(IT, id, 'action-approval', { actionId: 'ACT-1', approved: false });

      // Now the operation can be announced to the team, and it reaches both members.
      const announced = await reply(FR, id, 'operational-message', operation);
      await step(FR, announced, parties, 'active');
      for (const { messageId, recipient } of announced.messages)
        expect((await message(recipient, messageId)).payload.body).toEqual(operation);
      // An approval covers its own action only.
      expect(
        (await blocked(FR, id, 'operational-message', { ...operation, actionId: 'ACT-2' })).details,
      ).toEqual([expect.objectContaining({ rule: 'H-9' })]);
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('nationality verification for return (TIP art. 8)', () => {
    it('verifies nationality, then a travel document is requested and issued', async () => {
      const sent = await open(FR, {
        procedure: 'nationality-verification',
        messageType: 'verification-request',
        recipients: [NG],
        caseReference: 'FR-OFII-2026-0932',
        body: verificationRequest('FR-NG-readmission-arrangement'),
      });
      const id = sent.requestId;
      opened.verification = id;
      let nodes = await step(FR, sent, [FR, NG], 'requested');
      const frStart = Date.parse(sent.createdAt);
      // The receiving node starts its clock at the signed creation time too.
      const ngStart = frStart;
      expect(await receivedAt(NG, sent.messages[0].messageId)).toBeGreaterThanOrEqual(frStart);
      // The default profile: a 30-day service level on the requested State's calendar.
      expect(deadline(nodes[FR], 'tip-nationality-verification')).toMatchObject({
        status: 'running',
        serviceLevel: true,
        executingState: 'NG',
        timeZone: 'Africa/Lagos',
      });
      // Lagos has no DST: 30 calendar days are 30 × 24 hours from each node's start event.
      expect(Date.parse(deadline(nodes[FR], 'tip-nationality-verification').dueAt)).toBe(
        frStart + 30 * 24 * HOUR,
      );
      expect(Date.parse(deadline(nodes[NG], 'tip-nationality-verification').dueAt)).toBe(
        ngStart + 30 * 24 * HOUR,
      );

      // A travel document before the answer is out of order.
      await refused(FR, id, 'travel-document-request', VERIFICATION_ANSWERS.travelDocumentRequest);

      nodes = await step(
        NG,
        await reply(NG, id, 'verification-answer', VERIFICATION_ANSWERS.answer),
        [FR, NG],
        'answered',
      );
      expect(nodes[FR].state.outcome).toBe('national');
      expect(deadline(nodes[FR], 'tip-nationality-verification').status).toBe('met');

      await step(
        FR,
        await reply(FR, id, 'travel-document-request', VERIFICATION_ANSWERS.travelDocumentRequest),
        [FR, NG],
        'travel-document-requested',
      );
      const issued = VERIFICATION_ANSWERS.travelDocumentIssued();
      nodes = await step(
        NG,
        await reply(NG, id, 'travel-document-issued', issued),
        [FR, NG],
        'travel-document-issued',
      );
      expect(nodes[FR].thread.map((m) => m.messageType)).toEqual([
        'verification-request',
        'verification-answer',
        'travel-document-request',
        'travel-document-issued',
      ]);
    });

    it('treats silence as consent under a readmission agreement that says so', async () => {
      const sent = await open(FR, {
        procedure: 'nationality-verification',
        messageType: 'verification-request',
        recipients: [RS],
        caseReference: 'FR-OFII-2026-1177',
        deadlineProfiles: ['readmission-russia-model'],
        body: {
          ...verificationRequest('EU-RS-readmission-2007'),
          person: {
            ...verificationRequest('x').person,
            names: { givenNames: ['Jelena'], familyNames: ['Petrović'] },
            placeOfBirth: 'Niš',
            nationalities: ['RS'],
          },
        },
        handling: {
          permittedPurpose: 'Nationality verification for a voluntary return',
          confidential: true,
          noOnwardTransferTo: [],
        },
      });
      const id = sent.requestId;
      const messageId = sent.messages[0].messageId;
      opened.readmission = id;
      let nodes = await step(FR, sent, [FR, RS], 'requested');
      for (const node of [FR, RS])
        expect(deadline(nodes[node], 'readmission-russia-model')).toMatchObject({
          status: 'running',
          executingState: 'RS',
          timeZone: 'Europe/Belgrade',
          check: true,
        });
      const dueAts = [FR, RS].map(
        (node) => deadline(nodes[node], 'readmission-russia-model').dueAt,
      );
      expect(Date.parse(dueAts[0]) - Date.parse(sent.createdAt)).toBeGreaterThanOrEqual(
        25 * 24 * HOUR - HOUR,
      );

      // RS stays silent; 25 days pass.
      try {
        await movePast(dueAts);
        nodes = Object.fromEntries(
          await Promise.all(
            [FR, RS].map(
              async (node) =>
                [
                  node,
                  await waitFor(async () => {
                    const detail = await request(node, id);
                    return deadline(detail, 'readmission-russia-model').status === 'expired'
                      ? detail
                      : undefined;
                  }, `expiry of the readmission deadline on ${node}`),
                ] as const,
            ),
          ),
        );
      } finally {
        await moveClock(0);
      }

      nodes = await agreed(id, [FR, RS], 'deemed-consent');
      for (const node of [FR, RS]) {
        expect(deadline(nodes[node], 'readmission-russia-model').status).toBe('expired');
        // A negative evidence on the request's message, on each node.
        expect(await evidenceKinds(node, messageId)).toContain('deadline-expired');
        const audited = await auditOf(node, 'deadline.expired', id);
        expect(audited).toEqual([
          expect.objectContaining({
            profileId: 'readmission-russia-model',
            actions: ['negative-evidence', 'deemed-consent'],
            requestStatus: 'deemed-consent',
          }),
        ]);
      }
      // A late answer is still recorded and supersedes the silence; the clock stays expired.
      nodes = await step(
        RS,
        await reply(RS, id, 'verification-answer', VERIFICATION_ANSWERS.answer),
        [FR, RS],
        'answered',
      );
      for (const node of [FR, RS])
        expect(deadline(nodes[node], 'readmission-russia-model').status).toBe('expired');
      await step(
        FR,
        await reply(FR, id, 'travel-document-request', VERIFICATION_ANSWERS.travelDocumentRequest),
        [FR, RS],
        'travel-document-requested',
      );
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('assets: freezing (UNTOC art. 13; Reg. (EU) 2018/1805)', () => {
    /** The freezing profiles of Reg. (EU) 2018/1805 art. 9: the certificate decides which run. */
    const FREEZING = [
      'eu-freezing-recognition',
      'eu-freezing-execution',
      'eu-freezing-service-level',
    ];
    const DAY = 24 * HOUR;

    const freeze = async (
      profiles: string[],
      { urgentFreezing = true, to = IT }: { urgentFreezing?: boolean; to?: string } = {},
    ) => {
      const sent = await open(FR, {
        procedure: 'assets',
        messageType: 'freeze',
        recipients: [to],
        deadlineProfiles: profiles,
        body: freezeRequest(FR, { urgentFreezing }),
      });
      return { sent, nodes: await step(FR, sent, [FR, to], 'requested') };
    };

    /** The local date and time of an instant in a zone: `2026-07-17 23:59`. */
    const local = (iso: string, timeZone: string) =>
      new Intl.DateTimeFormat('sv-SE', {
        timeZone,
        dateStyle: 'short',
        timeStyle: 'short',
      }).format(new Date(iso));

    it('confirms an urgent freeze within the 48-hour clocks; a freeze not marked urgent runs the service level', async () => {
      const { sent, nodes } = await freeze(FREEZING);
      const id = sent.requestId;
      opened.frozen = id;
      // Only the recognition clock starts with an urgent certificate; both nodes count 48 hours
      // from its signed creation.
      const starts: Record<string, number> = {
        [FR]: Date.parse(sent.createdAt),
        [IT]: Date.parse(sent.createdAt),
      };
      for (const node of [FR, IT]) {
        expect(nodes[node].deadlines.map((d) => d.profileId)).toEqual(['eu-freezing-recognition']);
        const clock = deadline(nodes[node], 'eu-freezing-recognition');
        expect(clock).toMatchObject({
          status: 'running',
          executingState: 'IT',
          source: 'Reg. (EU) 2018/1805 art. 9',
          serviceLevel: false,
          calendar: { state: 'IT', holidays: 'date-holidays' },
        });
        expect(Date.parse(clock.dueAt)).toBe(starts[node] + 48 * HOUR);
      }

      let after = await step(
        IT,
        await reply(IT, id, 'acknowledgement', ASSET_ANSWERS.acknowledgement()),
        [FR, IT],
        'acknowledged',
      );
      for (const node of [FR, IT]) {
        expect(deadline(after[node], 'eu-freezing-recognition').status).toBe('met');
        expect(deadline(after[node], 'eu-freezing-execution').status).toBe('running');
      }

      const confirmation = ASSET_ANSWERS.freezingConfirmation();
      const confirmed = await reply(IT, id, 'freezing-confirmation', confirmation);
      after = await step(IT, confirmed, [FR, IT], 'frozen');
      for (const node of [FR, IT]) {
        expect(after[node].deadlines.map((d) => [d.profileId, d.status])).toEqual([
          ['eu-freezing-execution', 'met'],
          ['eu-freezing-recognition', 'met'],
        ]);
        expect(after[node].state).toMatchObject({ pendingRequest: null, overdue: false });
      }
      // The timestamped, signed answer, with the receipt FR's node issued for it.
      const received = await message(FR, confirmed.messages[0].messageId);
      expect(received.payload.body).toEqual(confirmation);
      expect(received.receipt?.envelopeSha256).toBe(confirmed.messages[0].envelopeSha256);

      // A follow-up freeze in the same case (a second account) whose certificate is not marked
      // urgent: no 48-hour clock restarts, the service level runs instead (art. 9: the speed and
      // priority of a similar domestic case), in working days of the executing State.
      const again = await reply(FR, id, 'freeze', freezeRequest(FR, { urgentFreezing: false }));
      after = await step(FR, again, [FR, IT], 'requested');
      for (const node of [FR, IT]) {
        expect(after[node].deadlines.map((d) => [d.profileId, d.status])).toEqual([
          ['eu-freezing-execution', 'met'],
          ['eu-freezing-recognition', 'met'],
          ['eu-freezing-service-level', 'running'],
        ]);
        const clock = deadline(after[node], 'eu-freezing-service-level');
        expect(clock).toMatchObject({ serviceLevel: true, executingState: 'IT' });
        // Five working days, ending at the end of a day in Rome, at least a week ahead.
        expect(local(clock.dueAt, 'Europe/Rome')).toMatch(/ 23:59$/);
        expect(Date.parse(clock.dueAt) - Date.parse(again.createdAt)).toBeGreaterThan(5 * DAY);
      }
      // The recognition of the non-urgent certificate starts no execution clock: the condition
      // reads the latest certificate, not the first one.
      after = await step(
        IT,
        await reply(IT, id, 'acknowledgement', ASSET_ANSWERS.acknowledgement()),
        [FR, IT],
        'acknowledged',
      );
      for (const node of [FR, IT])
        expect(deadline(after[node], 'eu-freezing-execution').status).toBe('met');
      after = await step(
        IT,
        await reply(IT, id, 'freezing-confirmation', ASSET_ANSWERS.freezingConfirmation()),
        [FR, IT],
        'frozen',
      );
      for (const node of [FR, IT])
        expect(after[node].deadlines.map((d) => d.status)).toEqual(['met', 'met', 'met']);
    });

    it('freezes in a State date-holidays does not know, counting its working days on weekends only', async () => {
      const { sent, nodes } = await freeze(FREEZING, { urgentFreezing: false, to: KH });
      const id = sent.requestId;
      opened.frozenInCambodia = id;
      const dues = [FR, KH].map((node) => {
        expect(nodes[node].deadlines.map((d) => d.profileId)).toEqual([
          'eu-freezing-service-level',
        ]);
        const clock = deadline(nodes[node], 'eu-freezing-service-level');
        expect(clock).toMatchObject({
          status: 'running',
          executingState: 'KH',
          timeZone: 'Asia/Phnom_Penh',
          calendar: { state: 'KH', holidays: 'weekends-only' },
        });
        expect(clock.calendar.note).toContain('No public-holiday calendar is known for this State');
        return clock.dueAt;
      });
      expect(dues[1]).toBe(dues[0]);
      // Five weekdays after the day of the certificate, at the end of that day in Phnom Penh: one
      // week later to the weekday (a weekend start ends on the Friday after next).
      const created = new Date(sent.createdAt);
      const createdDay = local(sent.createdAt, 'Asia/Phnom_Penh').slice(0, 10);
      const weekday = new Date(`${createdDay}T12:00:00Z`).getUTCDay();
      const daysAhead = weekday === 6 ? 6 : weekday === 0 ? 5 : 7;
      const expectedDay = new Date(Date.parse(`${createdDay}T12:00:00Z`) + daysAhead * DAY)
        .toISOString()
        .slice(0, 10);
      expect(local(dues[0], 'Asia/Phnom_Penh')).toBe(`${expectedDay} 23:59`);
      expect(Date.parse(dues[0])).toBeGreaterThan(created.getTime());
      // The calendar is not secret, and the fallback is told to the operators in the log.
      const log = readFileSync(network.logFile(FR, 'gateway'), 'utf8');
      expect(
        log
          .split('\n')
          .some((line) => line.includes('deadline-calendar-fallback') && line.includes(id)),
      ).toBe(true);

      await step(
        KH,
        await reply(KH, id, 'acknowledgement', ASSET_ANSWERS.acknowledgement()),
        [FR, KH],
        'acknowledged',
      );
      const after = await step(
        KH,
        await reply(KH, id, 'freezing-confirmation', ASSET_ANSWERS.freezingConfirmation()),
        [FR, KH],
        'frozen',
      );
      for (const node of [FR, KH])
        expect(after[node].deadlines.map((d) => [d.profileId, d.status])).toEqual([
          ['eu-freezing-service-level', 'met'],
        ]);
    });

    it('escalates a freeze left unanswered when its 48-hour clock expires', async () => {
      const { sent, nodes } = await freeze(['eu-freezing-recognition']);
      const id = sent.requestId;
      const messageId = sent.messages[0].messageId;
      opened.unanswered = id;
      const dueAts = [FR, IT].map((node) => deadline(nodes[node], 'eu-freezing-recognition').dueAt);
      try {
        await movePast(dueAts);
        await Promise.all(
          [FR, IT].map((node) =>
            waitFor(
              async () =>
                deadline(await request(node, id), 'eu-freezing-recognition').status === 'expired',
              `expiry of the freezing deadline on ${node}`,
            ),
          ),
        );
      } finally {
        await moveClock(0);
      }

      // Escalation leaves the request awaiting its answer, marked overdue, on both nodes.
      const after = await agreed(id, [FR, IT], 'requested');
      for (const node of [FR, IT]) {
        expect(after[node].state).toMatchObject({ pendingRequest: 'freeze', overdue: true });
        expect(await auditOf(node, 'deadline.expired', id)).toEqual([
          expect.objectContaining({
            profileId: 'eu-freezing-recognition',
            source: 'Reg. (EU) 2018/1805 art. 9',
            actions: ['escalate', 'negative-evidence'],
            requestStatus: 'requested',
          }),
        ]);
        expect(await evidenceKinds(node, messageId)).toContain('deadline-expired');
        const log = readFileSync(network.logFile(node, 'worker'), 'utf8');
        expect(
          log.split('\n').some((line) => line.includes('deadline-escalated') && line.includes(id)),
        ).toBe(true);
      }
      // The late confirmation is still taken.
      await step(
        IT,
        await reply(IT, id, 'freezing-confirmation', ASSET_ANSWERS.freezingConfirmation()),
        [FR, IT],
        'frozen',
      );
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('listing requests', () => {
    const ids = (views: RequestView[]) => views.map((v) => v.id).sort();

    it('filters by procedure and by state', async () => {
      const mla = [opened.mlaExecuted, opened.mlaRefused, opened.mlaPostponed, opened.mlaWithdrawn];
      expect(ids(await list(FR, '?procedure=mla'))).toEqual([...mla].sort());
      expect(ids(await list(NG, '?procedure=mla'))).toEqual([...mla].sort());
      expect(ids(await list(FR, '?procedure=jit'))).toEqual([opened.jit]);
      expect(ids(await list(IT, '?procedure=jit'))).toEqual([opened.jit]);
      expect(ids(await list(FR, '?procedure=nationality-verification'))).toEqual(
        [opened.verification, opened.readmission].sort(),
      );
      expect(ids(await list(RS, '?procedure=mla'))).toEqual([]);

      expect(ids(await list(FR, '?state=refused'))).toEqual([opened.mlaRefused]);
      expect(ids(await list(FR, '?state=withdrawn'))).toEqual([opened.mlaWithdrawn]);
      expect(ids(await list(FR, '?procedure=mla&state=postponed'))).toEqual([opened.mlaPostponed]);
      expect(ids(await list(FR, '?procedure=assets&state=postponed'))).toEqual([]);
      expect(ids(await list(FR, '?state=frozen'))).toEqual(
        [opened.frozen, opened.unanswered, opened.frozenInCambodia].sort(),
      );
      expect(ids(await list(RS, '?state=travel-document-requested'))).toEqual([opened.readmission]);

      const bad = await api<ApiError>(url(FR, '/api/v1/requests?procedure=tax'));
      expect(bad.status).toBe(400);
    });

    it('finds requests due soon and overdue ones, by the node’s clock', async () => {
      // A fresh freeze: its 48-hour clock is the only one due within two days.
      const sent = await open(FR, {
        procedure: 'assets',
        messageType: 'freeze',
        recipients: [IT],
        deadlineProfiles: ['eu-freezing-recognition'],
        body: freezeRequest(FR),
      });
      await step(FR, sent, [FR, IT], 'requested');
      const fresh = sent.requestId;

      const all = await list(FR, '?limit=500');
      const runningDue = (hours: number) =>
        all
          .filter((r) =>
            r.deadlines.some(
              (d) => d.status === 'running' && Date.parse(d.dueAt) <= Date.now() + hours * HOUR,
            ),
          )
          .map((r) => r.id)
          .sort();
      const untilSuggested = Math.ceil(
        (Date.parse(
          `${(mlaRequest(FR).suggestedDeadline as { date: string }).date}T23:59:59.999Z`,
        ) +
          1 -
          Date.now()) /
          HOUR,
      );

      const expected: Array<[number, string[]]> = [
        [47, []],
        [49, [fresh]],
        [untilSuggested, [fresh, opened.mlaPostponed]],
        [8760, [fresh, opened.mlaPostponed, opened.jit]],
      ];
      for (const [hours, due] of expected) {
        const found = ids(await list(FR, `?dueWithinHours=${hours}`));
        // Met, paused or expired clocks never count, only running ones due by then.
        expect({ hours, found }).toEqual({ hours, found: [...due].sort() });
        expect(runningDue(hours)).toEqual(found);
      }
      expect(ids(await list(FR, '?overdue=true'))).toEqual([]);
      expect((await api(url(FR, '/api/v1/requests?dueWithinHours=0'))).status).toBe(400);

      // Two days later, with FR's worker down so that the fresh clock is overdue but still running.
      await network.stop(FR, 'worker');
      try {
        await movePast([deadline(await request(FR, fresh), 'eu-freezing-recognition').dueAt]);
        const overdue = await list(FR, '?overdue=true');
        // The fresh freeze (running, past due) and the one that expired earlier; a met clock or a
        // readmission clock due in weeks is not overdue.
        expect(ids(overdue)).toEqual([fresh, opened.unanswered].sort());
        expect(
          deadline(
            overdue.find((r) => r.id === fresh)!,
            'eu-freezing-recognition',
          ).status,
        ).toBe('running');
        expect(ids(await list(FR, '?overdue=true&procedure=mla'))).toEqual([]);
        expect(ids(await list(FR, '?dueWithinHours=1'))).toEqual([fresh]);

        network.start(FR, 'worker');
        await waitFor(
          async () =>
            deadline(await request(FR, fresh), 'eu-freezing-recognition').status === 'expired',
          'the restarted worker to expire the overdue clock',
        );
        expect(ids(await list(FR, '?overdue=true'))).toEqual([fresh, opened.unanswered].sort());
        expect(ids(await list(FR, '?dueWithinHours=1'))).toEqual([]);
      } finally {
        if (!network.isRunning(FR, 'worker')) network.start(FR, 'worker');
        await moveClock(0);
      }
    });
  });
});
