import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RequestDetail } from '#libs/cases';
import { writeAttachments, type EvidenceBundle } from '#libs/evidence';
import { ROLES, type Role } from '#libs/access';
import {
  accountName,
  ASSET_ANSWERS,
  freezeRequest,
  JIT_MESSAGES,
  jitAgreement,
  jitProposal,
  LocalNetwork,
  MLA_ANSWERS,
  mlaRequest,
  repoRoot,
  SAMPLE_FILES,
  SAMPLE_HANDLING,
  tusUpload,
  VERIFICATION_ANSWERS,
  verificationRequest,
  type NodeSpec,
} from '#tools/local-network';
import type { MessageView, SubmissionAccepted } from '#libs/messaging';

const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';

const NODES: NodeSpec[] = [
  {
    authorityId: FR,
    state: 'FR',
    name: 'Ministère de la Justice, Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    procedures: [...ALL],
    port: 4101,
    competence: {
      languages: ['fr', 'en'],
      urgentContact: { channel: 'email', address: 'entraide.urgent@justice.gouv.fr' },
    },
  },
  {
    authorityId: NG,
    state: 'NG',
    name: 'Federal Ministry of Justice, Central Authority Unit',
    kind: 'central-authority',
    procedures: [...ALL],
    port: 4102,
    competence: {
      measures: [
        'taking-evidence',
        'video-hearing',
        'service-of-documents',
        'search-and-seizure',
        'documents-and-records',
        'tracing-proceeds',
        'joint-investigation-team',
        'nationality-verification',
        'travel-documents',
        'asset-identification',
        'asset-freezing',
        'confiscation',
      ],
      languages: ['en'],
      urgentContact: { channel: 'phone', address: '+234 9 461 0000' },
    },
  },
  {
    authorityId: IT,
    state: 'IT',
    name: 'Ministero della Giustizia, Direzione generale degli affari internazionali',
    kind: 'central-authority',
    procedures: [...ALL],
    port: 4103,
    competence: {
      languages: ['it', 'en', 'fr'],
      urgentContact: { channel: 'interpol', address: 'NCB Rome' },
    },
  },
];

/** An officer at one node, using its HTTP API with a bearer token of one of the node's accounts. */
class Desk {
  private token?: Promise<string>;

  constructor(
    private readonly network: LocalNetwork,
    readonly authorityId: string,
    /** A supervisor works on every procedure of the authority. */
    readonly role: Role = 'supervisor',
  ) {}

  fetch(path: string, init?: RequestInit): Promise<Response> {
    this.token ??= this.network.token(this.authorityId, accountName(this.authorityId, this.role));
    return this.token.then((token) =>
      fetch(`${this.network.url(this.authorityId)}${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          ...init?.headers,
          authorization: `Bearer ${token}`,
        },
      }),
    );
  }

  /** Uploads a file (tus) for a message to attach: the upload id. */
  upload(file: {
    content: Uint8Array;
    meta: { filename: string; filetype: string; category: string };
  }): Promise<string> {
    return tusUpload((path, init) => this.fetch(path, init), file.content, file.meta);
  }

  async call<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.fetch(path, init);
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `${this.authorityId} ${init?.method ?? 'GET'} ${path} answered ${response.status}: ${text}`,
      );
    return JSON.parse(text) as T;
  }

  open(draft: Record<string, unknown>): Promise<SubmissionAccepted> {
    return this.call('/api/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ handling: SAMPLE_HANDLING, ...draft }),
    });
  }

  reply(
    requestId: string,
    messageType: string,
    body: Record<string, unknown>,
    attachments?: Array<{ uploadId: string; category?: string }>,
  ): Promise<SubmissionAccepted> {
    return this.call(`/api/v1/requests/${requestId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ messageType, body, attachments }),
    });
  }

  request(requestId: string): Promise<RequestDetail> {
    return this.call(`/api/v1/requests/${requestId}`);
  }

  /** Waits until this node holds the request with every message of its thread delivered or received. */
  async settled(requestId: string, messages: number, timeoutMs = 60_000): Promise<RequestDetail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.fetch(`/api/v1/requests/${requestId}`);
      if (found.ok) {
        const request = (await found.json()) as RequestDetail;
        const done = request.thread.filter((m) =>
          ['delivered', 'received', 'read'].includes(m.status),
        ).length;
        if (request.thread.some((m) => m.status === 'failed'))
          throw new Error(`a message of ${requestId} failed`);
        if (done >= messages) return request;
      }
      if (Date.now() > deadline)
        throw new Error(`${this.authorityId}: request ${requestId} did not settle`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function timeline(title: string, request: RequestDetail): string {
  const start = Date.parse(request.openedAt);
  const lines = [
    '',
    `${title}: request ${request.id} (case ${request.caseReference})`,
    ...request.thread.map(
      (m) =>
        `  +${String(Date.parse(m.createdAt) - start).padStart(5)} ms  ${m.sender.padEnd(12)} → ${m.recipient.padEnd(12)} ${m.messageType.padEnd(26)} ${m.status}`,
    ),
    `  state: ${request.status}`,
    ...request.deadlines.map(
      (d) =>
        `  deadline ${d.profileId} (${d.source}${d.check ? ', figure to check' : ''}${d.serviceLevel ? ', service level' : ''}): ${d.status}, due ${d.dueAt}${d.suggestedDueAt ? `, suggested ${d.suggestedDueAt}` : ''}`,
    ),
  ];
  return lines.join('\n');
}

/**
 * The main job: a network of three gateway nodes on loopback (French, Nigerian and Italian
 * central authorities), each with its own keys, schema and Redis prefix, running the four
 * procedures end to end over signed, encrypted envelopes with signed receipts.
 */
export async function runDemo(options: {
  out?: string;
  workDir?: string;
  keep?: boolean;
}): Promise<void> {
  const network = await LocalNetwork.create({
    name: 'demo',
    workDir: options.workDir ?? join(repoRoot(), '.demo'),
    nodes: NODES,
  });
  const [fr, ng, it] = [FR, NG, IT].map((id) => new Desk(network, id));
  try {
    process.stdout.write(
      `Starting ${NODES.map((n) => n.authorityId).join(', ')} (gateway + worker each)…\n`,
    );
    await network.startAll();
    const started = Date.now();
    const policyNotes: string[] = [];

    // Mutual legal assistance, from request to execution.
    const mla = await fr.open({
      procedure: 'mla',
      messageType: 'request',
      recipients: [NG],
      caseReference: 'FR-PNAT-2026-0147',
      body: mlaRequest(FR),
    });
    await ng.settled(mla.requestId, 1);
    // Each answer reaches FR before the next is sent: deliveries of one thread are not ordered, and
    // a progress answer overtaken by the execution result would be refused for good.
    await ng.reply(mla.requestId, 'acknowledgement', MLA_ANSWERS.acknowledgement('NG-CA-2026-311'));
    await fr.settled(mla.requestId, 2);
    await ng.reply(mla.requestId, 'progress-answer', MLA_ANSWERS.progressAnswer);
    await fr.settled(mla.requestId, 3);
    await ng.reply(mla.requestId, 'execution-result', MLA_ANSWERS.executionResult);
    const mlaDone = await fr.settled(mla.requestId, 4);

    // Nationality verification for return, with a travel document. The repatriation desk first
    // records what the safeguards need (H-3, H-4, W-1), then asks the decision point to explain.
    // Its facts are the nationality-verification facts of the case, its own to record and relax.
    const repatriationDesk = new Desk(network, FR, 'repatriation-officer');
    await repatriationDesk.call('/api/v1/cases/FR-OFII-2026-0932/facts', {
      method: 'PUT',
      body: JSON.stringify({
        agreementId: 'FR-NG-readmission-arrangement',
        persons: [
          {
            personIndex: 0,
            subjectOfCase: true,
            nationalities: ['NG'],
            asylum: { status: 'none', shieldFrom: [] },
            riskAssessment: {
              done: true,
              at: new Date().toISOString().slice(0, 10),
              outcome: 'no-risk',
              reference: 'OFII-RA-2026-118',
            },
            returnVoluntary: true,
            openProceedings: [],
          },
        ],
      }),
    });
    // The extract of her birth certificate goes with the request, as an identity document.
    const nvBody = verificationRequest('FR-NG-readmission-arrangement');
    const birthCertificate = await fr.upload(SAMPLE_FILES.birthCertificate(nvBody.person));
    const nvDraft = {
      procedure: 'nationality-verification',
      messageType: 'verification-request',
      recipients: [NG],
      caseReference: 'FR-OFII-2026-0932',
      deadlineProfiles: ['tip-nationality-verification'],
      body: nvBody,
      attachments: [{ uploadId: birthCertificate, category: 'identity-document' }],
      handling: {
        permittedPurpose: 'Nationality verification for a voluntary return',
        confidential: true,
        noOnwardTransferTo: [],
      },
    };
    const [explained] = await fr.call<Array<{ outcome: string; explanation: string }>>(
      '/api/v1/policy/explain',
      {
        method: 'POST',
        body: JSON.stringify(nvDraft),
      },
    );
    policyNotes.push(
      `Policy decision on the verification request before sending: ${explained.outcome}\n${explained.explanation}`,
    );
    const nv = await fr.open(nvDraft);
    await ng.settled(nv.requestId, 1);
    await ng.reply(nv.requestId, 'verification-answer', VERIFICATION_ANSWERS.answer);
    await fr.settled(nv.requestId, 2);
    await fr.reply(
      nv.requestId,
      'travel-document-request',
      VERIFICATION_ANSWERS.travelDocumentRequest,
    );
    await ng.settled(nv.requestId, 3);
    await ng.reply(
      nv.requestId,
      'travel-document-issued',
      VERIFICATION_ANSWERS.travelDocumentIssued(),
    );
    const nvDone = await fr.settled(nv.requestId, 4);

    // H-1 through the register: the asylum authority registered a person shielded from Nigeria;
    // the repatriation desk, unaware of any claim, asks Nigeria to verify her nationality.
    const asylumAuthority = new Desk(network, FR, 'asylum-authority-officer');
    await asylumAuthority.call('/api/v1/register/entries', {
      method: 'POST',
      body: JSON.stringify({
        names: [{ givenNames: ['Grace'], familyNames: ['Obi'] }],
        datesOfBirth: ['14/03/2001'],
        shieldFrom: ['NG'],
      }),
    });
    const shielded = verificationRequest('FR-NG-readmission-arrangement');
    shielded.person = {
      ...shielded.person,
      names: { givenNames: ['GRACE'], familyNames: ['OBI'] },
      dateOfBirth: '2001-03-14',
    };
    const refused = await fr.fetch('/api/v1/messages', {
      method: 'POST',
      body: JSON.stringify({
        ...nvDraft,
        caseReference: 'FR-OFII-2026-0977',
        body: shielded,
        attachments: [],
      }),
    });
    policyNotes.push(
      `A verification request for a person in the protected-persons register: HTTP ${refused.status} ${((await refused.json()) as { error: { message: string } }).error.message}`,
    );

    // An urgent freezing certificate, recognised and confirmed within its 48-hour clocks
    // (Reg. (EU) 2018/1805 art. 9); a certificate not marked urgent would run the service level.
    const freeze = await fr.open({
      procedure: 'assets',
      messageType: 'freeze',
      recipients: [IT],
      caseReference: 'FR-PNAT-2026-0147',
      deadlineProfiles: [
        'eu-freezing-recognition',
        'eu-freezing-execution',
        'eu-freezing-service-level',
      ],
      body: freezeRequest(FR, { urgentFreezing: true }),
    });
    await it.settled(freeze.requestId, 1);
    await it.reply(freeze.requestId, 'acknowledgement', ASSET_ANSWERS.acknowledgement());
    await it.reply(freeze.requestId, 'freezing-confirmation', ASSET_ANSWERS.freezingConfirmation());
    const freezeDone = await fr.settled(freeze.requestId, 3);

    // A joint investigation team of three States: proposal, agreement, acceptances, fan-out.
    const parties = [FR, NG, IT];
    const jit = await fr.open({
      procedure: 'jit',
      messageType: 'proposal',
      recipients: [NG, IT],
      caseReference: 'FR-PNAT-2026-0147',
      body: jitProposal(parties),
      // The proposal names no legal basis yet (the agreement will): W-2 asks a supervisor to justify.
      acknowledgements: [
        {
          ruleId: 'W-2',
          justification:
            'The legal basis, UNTOC art. 19, is set out in the agreement that follows the proposal',
        },
      ],
    });
    await Promise.all([ng.settled(jit.requestId, 1), it.settled(jit.requestId, 1)]);
    await fr.reply(jit.requestId, 'agreement', jitAgreement(parties));
    await Promise.all([ng.settled(jit.requestId, 2), it.settled(jit.requestId, 2)]);
    await ng.reply(jit.requestId, 'acceptance', JIT_MESSAGES.acceptance('Ngozi Adeyemi'));
    await it.reply(jit.requestId, 'acceptance', JIT_MESSAGES.acceptance('Marco Rossi'));
    await fr.settled(jit.requestId, 6);
    // The operational message carries the surveillance log, sealed for each team member.
    const log = await fr.upload(SAMPLE_FILES.surveillanceLog());
    await fr.reply(jit.requestId, 'operational-message', JIT_MESSAGES.operational, [
      { uploadId: log, category: 'evidence-item' },
    ]);
    const jitDone = await fr.settled(jit.requestId, 8);
    const elapsed = Date.now() - started;

    process.stdout.write(
      [
        timeline('Mutual legal assistance', mlaDone),
        timeline('Nationality verification and travel document', nvDone),
        timeline('Freezing of assets', freezeDone),
        timeline('Joint investigation team (three States)', jitDone),
        '',
        ...policyNotes,
        '',
        `Four procedures across three nodes in ${elapsed} ms; every message sealed, delivered and acknowledged by a signed receipt.`,
        '',
      ].join('\n'),
    );

    const outbound = (
      await Promise.all(
        [fr, ng, it].map(async (desk) =>
          (await desk.call<MessageView[]>('/api/v1/messages?direction=outbound&limit=500')).map(
            (m) => ({ desk, m }),
          ),
        ),
      )
    ).flat();
    const bundles = await Promise.all(
      outbound.map(({ desk, m }) => desk.call<EvidenceBundle>(`/api/v1/messages/${m.id}/evidence`)),
    );
    // Files as the recipient holds them: the recipient's evidence bundle of each message with files.
    const desks = new Map([fr, ng, it].map((desk) => [desk.authorityId, desk]));
    const received = await Promise.all(
      bundles
        .filter((bundle) => bundle.attachments.length > 0)
        .map(async (bundle) => ({
          desk: desks.get(bundle.message.recipient)!,
          bundle: await desks
            .get(bundle.message.recipient)!
            .call<EvidenceBundle>(`/api/v1/messages/${bundle.message.id}/evidence`),
        })),
    );
    const attachmentsDir = (messageId: string) => `${messageId}.attachments`;
    const summary = {
      nodes: NODES.map((node) => ({
        authorityId: node.authorityId,
        url: network.url(node.authorityId),
        schema: network.schema(node.authorityId),
      })),
      requests: [mlaDone, nvDone, freezeDone, jitDone].map((r) => ({
        requestId: r.id,
        procedure: r.procedure,
        caseReference: r.caseReference,
        status: r.status,
        deadlines: r.deadlines.map((d) => ({
          profileId: d.profileId,
          source: d.source,
          status: d.status,
          dueAt: d.dueAt,
        })),
        thread: r.thread.map((m) => ({
          messageId: m.messageId,
          messageType: m.messageType,
          from: m.sender,
          to: m.recipient,
          status: m.status,
        })),
      })),
      messages: bundles.map((bundle) => ({
        messageId: bundle.message.id,
        from: bundle.message.sender,
        to: bundle.message.recipient,
        procedure: bundle.message.procedure,
        messageType: bundle.message.messageType,
        status: bundle.message.status,
        envelopeSha256: bundle.envelope.sha256,
        receiptAttests: bundle.receipts[0]?.envelopeSha256 ?? null,
        receivedAt: bundle.receipts[0]?.receivedAt ?? null,
      })),
      attachments: received.flatMap(({ bundle }) =>
        bundle.attachments.map(({ position, manifest, chunks }) => {
          const folder = join(attachmentsDir(bundle.message.id), String(position));
          return {
            messageId: bundle.message.id,
            from: bundle.message.sender,
            receivedBy: bundle.message.recipient,
            position,
            name: manifest.name,
            mediaType: manifest.mediaType,
            category: manifest.category,
            size: manifest.size,
            sha256: manifest.sha256,
            manifest: join(folder, 'manifest.json'),
            chunks: chunks.map((chunk) => ({
              file: join(folder, chunk.file),
              bytes: chunk.bytes,
              sha256: chunk.sha256,
            })),
          };
        }),
      ),
      elapsedMs: elapsed,
    };
    const verified = summary.messages.filter((m) => m.receiptAttests === m.envelopeSha256).length;
    process.stdout.write(
      `${verified} of ${summary.messages.length} messages hold a receipt attesting their envelope digest.\n` +
        `${summary.attachments.length} files travelled beside them, sealed in chunks: ${summary.attachments.map((a) => `${a.name} (${a.category}, ${a.from} → ${a.receivedBy})`).join(', ')}.\n`,
    );

    if (options.out) {
      const out = resolve(options.out);
      mkdirSync(join(out, 'keys'), { recursive: true });
      for (const bundle of bundles) {
        writeFileSync(
          join(out, `${bundle.message.id}.envelope.asc`),
          bundle.envelope.armored ?? '',
        );
        if (bundle.receipts[0])
          writeFileSync(join(out, `${bundle.message.id}.receipt.asc`), bundle.receipts[0].armored);
        for (const key of bundle.keys)
          writeFileSync(join(out, 'keys', `${key.authorityId}.asc`), key.armored);
      }
      // The sealed chunks as the recipient received them, and each file's manifest.
      for (const { desk, bundle } of received) {
        const id = bundle.message.id;
        await writeAttachments(
          bundle.attachments,
          join(out, attachmentsDir(id)),
          async (position, index) => {
            const chunk = await desk.fetch(
              `/api/v1/messages/${id}/evidence/attachments/${position}/chunks/${index}`,
            );
            if (!chunk.ok || !chunk.body)
              throw new Error(`chunk ${index} of ${id}/${position}: ${await chunk.text()}`);
            return chunk.body;
          },
        );
      }
      writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      process.stdout.write(
        `Envelopes, receipts, keys, files (<message-id>.attachments/) and summary.json written to ${out}\n`,
      );
    }
    if (options.keep) await keepForTheConsole(network);
  } finally {
    await network.stopAll();
  }
}

/**
 * `demo --keep`: the nodes keep running after the tour, for the officer console. Each account's
 * sign-in token (12 hours) is written to a file of its own (mode 600), never printed; Ctrl-C stops
 * the network.
 */
async function keepForTheConsole(network: LocalNetwork): Promise<void> {
  const dir = join(network.options.workDir, 'console-tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.stdout.write('\nThe network keeps running. Officer consoles:\n');
  for (const node of NODES) {
    for (const role of ROLES) {
      const username = accountName(node.authorityId, role);
      const token = await network.token(node.authorityId, username, 12 * 3600);
      writeFileSync(join(dir, `${username}.token`), `${token}\n`, { mode: 0o600 });
    }
    process.stdout.write(`  ${network.url(node.authorityId)}/console/  (${node.authorityId})\n`);
  }
  process.stdout.write(
    `Sign in with the token of one account per role and authority, in ${dir}/<authority>.<role>.token\n` +
      `(e.g. ${accountName(FR, 'central-authority-officer')}.token). Ctrl-C stops the network.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
