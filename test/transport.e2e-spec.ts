import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountName, LocalNetwork, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';
import { ENVELOPE_MEDIA_TYPE, INBOUND_PATH, ROUTING_HEADERS } from '#libs/envelope';
import { run, waitFor } from './support/network.js';

/*
 * Native HTTPS with mutual TLS between two real nodes, on certificates this test makes with
 * openssl: deliveries present the node's client certificate and check the recipient's against its
 * directory pin; the peer endpoints refuse a post without a certificate the CA vouches for, or
 * with one that is not the claimed sender's.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
/** In the directory with a pin, but its port is held by an impostor with another certificate. */
const BE = 'BE-FPS-JUST';
const PORTS: Record<string, number> = { [FR]: 4291, [NG]: 4292, [BE]: 4293 };

const certs = join(tmpdir(), 'gateway-e2e-transport-certs');
const file = (name: string) => join(certs, name);

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { cwd: certs });
}

/** A CA, and for each name a P-256 key with a certificate for 127.0.0.1 (server and client use). */
async function makeCertificates(names: string[]): Promise<Record<string, string>> {
  rmSync(certs, { recursive: true, force: true });
  mkdirSync(certs, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2'].concat([
      '-subj',
      '/CN=Test peers CA',
    ]),
  );
  writeFileSync(
    file('leaf.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  const pins: Record<string, string> = {};
  for (const name of names) {
    await openssl(
      ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`].concat([
        '-subj',
        `/CN=${name}`,
      ]),
    );
    await openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        'leaf.ext',
      ]),
    );
    pins[name] = new X509Certificate(readFileSync(file(`${name}.crt`))).fingerprint256;
  }
  return pins;
}

type Answer = {
  status: number;
  headers: Record<string, unknown>;
  /** The fields the calls below read, whichever answer it is. */
  body: {
    error: { code: string };
    paths: Record<string, unknown>;
    status: string;
    requestId: string;
    messages: Array<{ messageId: string }>;
    attempts: number;
    lastError: string | null;
  };
};

/** One HTTPS call trusting the test CA, with or without a client certificate. */
function tls(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; as?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: readFileSync(file('ca.crt')),
        ...(options.as && {
          cert: readFileSync(file(`${options.as}.crt`)),
          key: readFileSync(file(`${options.as}.key`)),
        }),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // a receipt or an HTML page
          }
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: body as Answer['body'],
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe('HTTPS with mutual TLS between two real nodes', () => {
  let network: LocalNetwork;
  let impostor: Server;
  let impostorRequests = 0;
  const headersOf = async (authorityId: string) => ({
    authorization: `Bearer ${await network.token(authorityId, accountName(authorityId, 'supervisor'))}`,
    'content-type': 'application/json',
  });

  beforeAll(async () => {
    const pins = await makeCertificates(['fr', 'ng', 'be', 'impostor']);
    const node = (id: string, name: string, state: string, cert: string) => ({
      authorityId: id,
      state,
      name,
      kind: 'central-authority' as const,
      procedures: ['mla' as const],
      port: PORTS[id],
      tls: {
        certFile: file(`${cert}.crt`),
        keyFile: file(`${cert}.key`),
        caFile: file('ca.crt'),
        pins: [pins[cert]],
      },
    });
    network = await LocalNetwork.create({
      name: 'e2e_transport',
      workDir: join(tmpdir(), 'gateway-e2e-transport'),
      nodes: [
        node(FR, 'Bureau de l’entraide pénale internationale', 'FR', 'fr'),
        node(NG, 'Central Authority Unit', 'NG', 'ng'),
        node(BE, 'Service public fédéral Justice', 'BE', 'be'),
      ],
      env: { LOG_LEVEL: 'warn', GATEWAY_RETRY_BASE_DELAY_MS: '200', GATEWAY_DOCS: 'authenticated' },
    });
    // BE's port answers with a certificate of the same CA, but not the one BE's entry pins.
    impostor = createServer(
      { cert: readFileSync(file('impostor.crt')), key: readFileSync(file('impostor.key')) },
      (_request, response) => {
        impostorRequests += 1;
        response.writeHead(500).end();
      },
    );
    await new Promise<void>((resolve) => impostor.listen(PORTS[BE], '127.0.0.1', resolve));
    for (const id of [FR, NG]) {
      network.start(id, 'gateway');
      network.start(id, 'worker');
    }
    await Promise.all([network.waitReady(FR), network.waitReady(NG)]);
  });

  afterAll(async () => {
    await network?.stopAll();
    impostor?.closeAllConnections();
    await new Promise<void>((resolve) => (impostor ? impostor.close(() => resolve()) : resolve()));
  });

  const send = async (recipient: string, caseReference: string) =>
    tls(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      headers: await headersOf(FR),
      body: JSON.stringify({
        procedure: 'mla',
        messageType: 'request',
        recipients: [recipient],
        caseReference,
        handling: SAMPLE_HANDLING,
        body: mlaRequest(FR),
      }),
    });

  it('delivers over HTTPS, each node presenting its certificate, and answers with security headers', async () => {
    const sent = await send(NG, 'FR-TLS-2026-1');
    expect(sent.status).toBe(202);
    const { requestId, messages } = sent.body as {
      requestId: string;
      messages: Array<{ messageId: string }>;
    };
    await waitFor(
      async () =>
        (
          await tls(`${network.url(NG)}/api/v1/requests/${requestId}`, {
            headers: await headersOf(NG),
          })
        ).status === 200,
      'NG to hold the request',
    );
    const delivered = await waitFor(async () => {
      const message = await tls(`${network.url(FR)}/api/v1/messages/${messages[0].messageId}`, {
        headers: await headersOf(FR),
      });
      return (message.body as { status: string }).status === 'delivered' && message;
    }, 'the receipt at FR');
    expect(delivered.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(delivered.headers['x-content-type-options']).toBe('nosniff');
    expect(delivered.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses a peer post without a client certificate, or with one that is not the sender’s', async () => {
    const post = (as?: string) =>
      tls(`${network.url(NG)}${INBOUND_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: FR,
          [ROUTING_HEADERS.recipient]: NG,
          [ROUTING_HEADERS.messageId]: '01900000-0000-7000-8000-0000000000aa',
        },
        body: 'not an envelope',
        as,
      });
    const anonymous = await post();
    expect([anonymous.status, anonymous.body.error.code]).toEqual([
      403,
      'PEER_CERTIFICATE_REQUIRED',
    ]);
    // A certificate of the CA, but NG's own, not the one FR's entry pins.
    const borrowed = await post('ng');
    expect([borrowed.status, borrowed.body.error.code]).toEqual([403, 'PEER_CERTIFICATE_MISMATCH']);
    // FR's certificate passes the transport; the envelope itself is then judged as ever.
    const genuine = await post('fr');
    expect([genuine.status, genuine.body.error.code]).toEqual([400, 'ENVELOPE_MALFORMED']);
  });

  it('never delivers to a server whose certificate its directory entry does not pin', async () => {
    const sent = await send(BE, 'FR-TLS-2026-2');
    expect(sent.status).toBe(202);
    const messageId = (sent.body as { messages: Array<{ messageId: string }> }).messages[0]
      .messageId;
    const failed = await waitFor(async () => {
      const message = await tls(`${network.url(FR)}/api/v1/messages/${messageId}`, {
        headers: await headersOf(FR),
      });
      const view = message.body as { attempts: number; lastError: string | null };
      return view.attempts >= 2 && view;
    }, 'two refused delivery attempts');
    expect(failed.lastError).toContain('PEER_CERTIFICATE_MISMATCH');
    // The handshake ended before any request was sent: the envelope never left.
    expect(impostorRequests).toBe(0);
  });

  it('serves the API documentation to signed-in users only', async () => {
    expect((await tls(`${network.url(FR)}/docs-json`)).status).toBe(401);
    const documented = await tls(`${network.url(FR)}/docs-json`, { headers: await headersOf(FR) });
    expect(documented.status).toBe(200);
    expect(Object.keys(documented.body.paths)).toContain('/api/v1/role-grants');
  });
});
