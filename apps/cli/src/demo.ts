import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvidenceBundle } from '#libs/evidence';
import { LocalNetwork, repoRoot, type NodeSpec } from '#libs/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';

const NODES: NodeSpec[] = [
  {
    authorityId: 'FR-MOJ-BEPI',
    state: 'FR',
    name: 'Ministère de la Justice, Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
    port: 4101,
  },
  {
    authorityId: 'NG-MOJ-CA',
    state: 'NG',
    name: 'Federal Ministry of Justice, Central Authority Unit',
    kind: 'central-authority',
    procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
    port: 4102,
  },
];

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The main job: two gateway nodes on loopback (a French and a Nigerian central authority), each
 * with its own keys, schema and Redis prefix; the French node sends a mutual legal assistance
 * request and waits for the Nigerian node's signed receipt.
 */
export async function runDemo(options: { out?: string; workDir?: string }): Promise<void> {
  const network = await LocalNetwork.create({
    name: 'demo',
    workDir: options.workDir ?? join(repoRoot(), '.demo'),
    nodes: NODES,
  });
  const [fr, ng] = NODES;
  try {
    process.stdout.write(
      `Starting ${NODES.map((n) => n.authorityId).join(' and ')} (gateway + worker each)…\n`,
    );
    await network.startAll();
    const sentAt = Date.now();
    const accepted = await api<SubmissionAccepted>(
      `${network.url(fr.authorityId)}/api/v1/messages`,
      {
        method: 'POST',
        body: JSON.stringify({
          recipient: ng.authorityId,
          procedure: 'mla',
          messageType: 'request',
          caseReference: 'FR-PNAT-2026-0147',
          handling: {
            permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0147 (trafficking in persons)',
            confidential: true,
            noOnwardTransferTo: [],
          },
          body: {
            requestingAuthority: fr.authorityId,
            subjectMatter:
              'Investigation into recruitment by deception and sexual exploitation, Paris prosecutor',
            summaryOfFacts:
              'Recruiters in Benin City arranged travel to France through Libya and Italy; victims were exploited in Paris.',
            assistanceSought: ['taking-evidence', 'bank-records'],
            purpose: 'Evidence for the prosecution of the recruiters',
            legalBasis: 'UNTOC art. 18(7)',
          },
        }),
      },
    );
    const delivered = await waitFor(async () => {
      const message = await api<MessageDetail>(
        `${network.url(fr.authorityId)}/api/v1/messages/${accepted.messageId}`,
      );
      if (message.status === 'failed') throw new Error(`delivery failed: ${message.lastError}`);
      return message.status === 'delivered' ? message : undefined;
    }, 'the signed receipt');
    const elapsed = Date.now() - sentAt;
    const received = await api<MessageDetail>(
      `${network.url(ng.authorityId)}/api/v1/messages/${accepted.messageId}`,
    );
    const evidence = await api<EvidenceBundle>(
      `${network.url(fr.authorityId)}/api/v1/messages/${accepted.messageId}/evidence`,
    );

    const summary = {
      messages: [
        {
          messageId: accepted.messageId,
          procedure: 'mla',
          messageType: 'request',
          from: fr.authorityId,
          to: ng.authorityId,
          status: delivered.status,
          receivedStatus: received.status,
          envelopeSha256: accepted.envelopeSha256,
          receiptAttests: delivered.receipt?.envelopeSha256,
          receiptSigner: delivered.receipt?.signerFingerprint,
          receivedAt: delivered.receipt?.receivedAt,
          acceptedToReceiptMs: elapsed,
          evidences: delivered.evidences.map((e) => e.kind),
          auditEntries: evidence.audit.map((entry) => entry.event),
        },
      ],
      nodes: NODES.map((node) => ({
        authorityId: node.authorityId,
        url: network.url(node.authorityId),
        schema: network.schema(node.authorityId),
      })),
    };

    const m = summary.messages[0];
    process.stdout.write(
      [
        '',
        `Mutual legal assistance request ${m.messageId}`,
        `  ${m.from} → ${m.to}`,
        `  sealed envelope  sha256 ${m.envelopeSha256}`,
        `  signed receipt   from ${m.to} (key ${m.receiptSigner}), received ${m.receivedAt}`,
        `  receipt attests  sha256 ${m.receiptAttests} ${m.receiptAttests === m.envelopeSha256 ? '(matches)' : '(MISMATCH)'}`,
        `  status           sender: ${m.status}; recipient: ${m.receivedStatus}`,
        `  evidences        ${m.evidences.join(', ')}`,
        `  audit            ${m.auditEntries.join(', ')}`,
        `  accepted → receipt verified in ${m.acceptedToReceiptMs} ms`,
        '',
      ].join('\n'),
    );

    if (options.out) {
      const out = resolve(options.out);
      mkdirSync(join(out, 'keys'), { recursive: true });
      writeFileSync(join(out, `${m.messageId}.envelope.asc`), evidence.envelope.armored);
      for (const receipt of evidence.receipts)
        writeFileSync(join(out, `${m.messageId}.receipt.asc`), receipt.armored);
      for (const key of evidence.keys)
        writeFileSync(join(out, 'keys', `${key.authorityId}.asc`), key.armored);
      writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      process.stdout.write(`Envelopes, receipts, keys and summary.json written to ${out}\n`);
    }
  } finally {
    await network.stopAll();
  }
}
