import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { centralAuthority, LocalNetwork, mlaRequest } from '#tools/local-network';
import type { SubmissionAccepted } from '#libs/messaging';
import { api, as, signIn, waitFor } from './support/network.js';

/*
 * E-mail notifications across real processes, to a real SMTP server started here: a request sent
 * from FR's node arrives at NG's, whose officer is mailed "new message" with its reference and a
 * console link and nothing of the case; a request to an authority whose node never answers fails
 * when the retry window closes, and FR's administrator is mailed "could not be delivered".
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';
const CASE_REFERENCE = 'FR-NOTIFY-2026-0001';

/** A mail as a reader sees it: folded headers unfolded, quoted-printable decoded. */
function readable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\r?\n[ \t]+/g, ' ');
}

interface Mail {
  from: string;
  to: string[];
  data: string;
}

describe('e-mail notifications across nodes', () => {
  let network: LocalNetwork;
  let smtp: SMTPServer;
  const mails: Mail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: readable(data),
          });
          callback();
        });
      },
    });
    await new Promise<void>((done) => smtp.listen(0, '127.0.0.1', done));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    network = await LocalNetwork.create({
      name: 'e2e_notify',
      workDir: join(tmpdir(), 'gateway-e2e-notifications'),
      // IT's node is in the directory but never started: what is sent to it cannot be delivered.
      nodes: [
        centralAuthority(FR, 'BEPI', 4351),
        centralAuthority(NG, 'FMoJ', 4352),
        centralAuthority(IT, 'DAG', 4353),
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        GATEWAY_NOTIFICATION_FROM: 'gateway-notifications@gateway.test',
        GATEWAY_CONSOLE_URL: 'https://console.gateway.test/console/',
        GATEWAY_NOTIFICATION_INTERVAL_MS: '500',
        GATEWAY_RETRY_WINDOW_MS: '6000',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    await signIn(network);
    for (const id of [FR, NG]) {
      network.start(id, 'gateway');
      network.start(id, 'worker');
    }
    await Promise.all([network.waitReady(FR), network.waitReady(NG)]);
  });

  afterAll(async () => {
    await network?.stopAll();
    await new Promise<void>((done) => (smtp ? smtp.close(done) : done()));
  });

  const settings = async (
    authorityId: string,
    role: 'central-authority-officer' | 'administrator',
    email: string,
  ) =>
    api<{ email: string; kinds: Array<{ kind: string; enabled: boolean }> }>(
      `${network.url(authorityId)}/api/v1/me/notifications`,
      {
        method: 'PUT',
        headers: await as(network, authorityId, role),
        body: JSON.stringify({ email }),
      },
    );

  const submit = (from: string, to: string) =>
    api<SubmissionAccepted>(`${network.url(from)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        procedure: 'mla',
        messageType: 'request',
        recipients: [to],
        caseReference: CASE_REFERENCE,
        handling: {
          permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0300 (trafficking in persons)',
          confidential: false,
          noOnwardTransferTo: [],
        },
        body: mlaRequest(from),
      }),
    });

  const mailTo = (address: string, reference: string) =>
    waitFor(
      async () => mails.find((m) => m.to.includes(address) && m.data.includes(reference)),
      `a mail to ${address} naming ${reference}`,
    );

  it("mails NG's officer a new request: its reference and a console link, nothing of the case", async () => {
    const set = await settings(NG, 'central-authority-officer', 'officer@ng.gateway.test');
    expect(set.status).toBe(200);
    expect(set.body.email).toBe('officer@ng.gateway.test');
    expect(set.body.kinds).toContainEqual({ kind: 'new-message', enabled: true, default: true });

    const sent = await submit(FR, NG);
    expect(sent.status).toBe(202);
    const messageId = sent.body.messages[0].messageId;
    const mail = await mailTo('officer@ng.gateway.test', messageId);
    expect(mail.from).toBe('gateway-notifications@gateway.test');
    expect(mail.data).toMatch(/Subject: \[Gateway\] A new message is in your mailbox/);
    expect(mail.data).toContain('https://console.gateway.test/console/#/requests/');
    // Nothing of the case: neither its reference nor a word of the request's body.
    expect(mail.data).not.toContain(CASE_REFERENCE);
    expect(mail.data).not.toContain('FR-PNAT');
    const leaves = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(leaves)
          : [];
    const words = leaves(mlaRequest(FR)).filter((leaf) => leaf.length > 6 && leaf !== FR);
    expect(words.length).toBeGreaterThan(3);
    for (const word of words) expect(mail.data).not.toContain(word);
    // Sent once, to that officer only (the supervisor's default is off; others have no address).
    await new Promise((done) => setTimeout(done, 1500));
    expect(mails.filter((m) => m.data.includes(messageId))).toHaveLength(1);
  });

  it("mails FR's administrator a delivery that failed when the retry window closed", async () => {
    expect((await settings(FR, 'administrator', 'admin@fr.gateway.test')).status).toBe(200);
    const sent = await submit(FR, IT);
    expect(sent.status).toBe(202);
    const messageId = sent.body.messages[0].messageId;
    const mail = await mailTo('admin@fr.gateway.test', messageId);
    expect(mail.data).toMatch(/Subject: \[Gateway\] A message could not be delivered/);
    expect(mail.data).toContain('https://console.gateway.test/console/#/mailbox');
    expect(mail.data).not.toContain(CASE_REFERENCE);
  });
});
