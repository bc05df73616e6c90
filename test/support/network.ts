import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '#libs/envelope';
import { readDataKeys } from '#libs/persistence';
import type { Role } from '#libs/access';
import type { SubmissionAccepted } from '#libs/messaging';
import { accountName, LocalNetwork, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';

export const run = promisify(execFile);

/** Bearer tokens by node origin: what `api` sends when a call names no other credential. */
const signedIn = new Map<string, string>();

/**
 * Signs in as each node's supervisor (every procedure of the node's own authority): the default
 * caller of `api`. Tests of who may do what pass their own `authorization` header (see `as`).
 */
export async function signIn(network: LocalNetwork): Promise<void> {
  for (const node of network.options.nodes) {
    const token = await network.token(
      node.authorityId,
      accountName(node.authorityId, 'supervisor'),
    );
    issued.add(token);
    signedIn.set(new URL(network.url(node.authorityId)).origin, token);
  }
}

/** Every token `signIn` and `as` handed out, for the secrets-in-logs check. */
const issued = new Set<string>();

export function signedInTokens(): string[] {
  return [...issued];
}

/** The authorization header of a standard account: one role in one authority. */
export async function as(
  network: LocalNetwork,
  authorityId: string,
  role: Role,
): Promise<{ authorization: string }> {
  const token = await network.token(authorityId, accountName(authorityId, role));
  issued.add(token);
  return { authorization: `Bearer ${token}` };
}

/**
 * A node's audit entries of one event as its auditors read them (`GET /api/v1/audit`): with each
 * entry's annex opened — the free text the chained details only digest (README, Retention).
 */
export async function auditorsTrail<T extends { annex?: unknown }>(
  network: LocalNetwork,
  authorityId: string,
  event: string,
): Promise<T[]> {
  const trail = await api<T[]>(
    `${network.url(authorityId)}/api/v1/audit?limit=1000&event=${event}`,
    {
      headers: await as(network, authorityId, 'auditor'),
    },
  );
  if (trail.status !== 200) throw new Error(`${authorityId} audit: HTTP ${trail.status}`);
  return trail.body;
}

export async function api<T = unknown>(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const token = signedIn.get(new URL(url).origin);
  const response = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // receipts and other text answers stay as text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An MLA request from one authority to another through the API, waited for until its sender
 * records it delivered; its message id.
 */
export async function deliverMlaRequest(
  network: LocalNetwork,
  from: string,
  to: string,
  caseReference: string,
): Promise<string> {
  const answer = await api<SubmissionAccepted>(`${network.url(from)}/api/v1/messages`, {
    method: 'POST',
    body: JSON.stringify({
      procedure: 'mla',
      messageType: 'request',
      recipients: [to],
      caseReference,
      handling: SAMPLE_HANDLING,
      body: mlaRequest(from),
    }),
  });
  if (answer.status !== 202) throw new Error(`${caseReference}: HTTP ${answer.status}`);
  const messageId = answer.body.messages[0].messageId;
  const db = nodeDatabase(network, from);
  try {
    await waitFor(
      async () =>
        (
          await db.query<{ status: string }>('select status from messages where id = $1', [
            messageId,
          ])
        ).rows[0]?.status === 'delivered',
      `${caseReference} delivered`,
    );
  } finally {
    await db.end();
  }
  return messageId;
}

/** Direct SQL on one node's schema, for assertions on what is (not) stored. */
export function nodeDatabase(network: LocalNetwork, authorityId: string): pg.Pool {
  return new pg.Pool({
    connectionString: network.databaseUrl,
    max: 2,
    options: `-c search_path=${network.schema(authorityId)}`,
  });
}

/** The payloads a node stores, opened with its data key: what the node holds, not what the API shows. */
export async function storedPayloads(
  network: LocalNetwork,
  authorityId: string,
  db: pg.Pool,
): Promise<Array<Record<string, unknown>>> {
  const cipher = readDataKeys(network.environment(authorityId));
  const { rows } = await db.query<{ id: string; payload: Buffer }>(
    'select id, payload from messages',
  );
  return rows.map((row) => cipher.open('messages.payload', row.id, row.payload));
}

/** The test owns its network's keys: it can act as a peer, or forge as one. */
export async function keysOf(
  network: LocalNetwork,
  authorityId: string,
): Promise<{ privateKey: PrivateKey; publicKey: PublicKey }> {
  const secrets = join(network.options.workDir, 'secrets');
  const privateKey = await unlockPrivateKey(
    readFileSync(join(secrets, `${authorityId}.key.asc`), 'utf8'),
    readFileSync(join(secrets, `${authorityId}.passphrase`), 'utf8'),
  );
  const publicKey = await readPublicKey(
    readFileSync(join(network.options.workDir, 'directory', 'keys', `${authorityId}.asc`), 'utf8'),
  );
  return { privateKey, publicKey };
}

/** Runs the node's CLI with the node's environment, signed in as the node's supervisor. */
export async function cli(network: LocalNetwork, authorityId: string, args: string[]) {
  const token = await network.token(authorityId, accountName(authorityId, 'supervisor'));
  issued.add(token);
  return network.cli(authorityId, args, { GATEWAY_TOKEN: token });
}

/**
 * A pass-through HTTP proxy in front of a node that can hold requests in flight: lets a test kill
 * a worker while its delivery is on the wire, then let the request through late.
 */
export class HoldingProxy {
  private server?: Server;
  private holding = false;
  private readonly held: Array<() => void> = [];

  constructor(
    private readonly port: number,
    private readonly target: string,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.forward(request).then(
        ({ status, headers, body }) => {
          response.writeHead(status, headers);
          response.end(body);
        },
        () => {
          response.writeHead(502);
          response.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  hold(): void {
    this.holding = true;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Stops holding and lets every held request through. */
  release(): void {
    this.holding = false;
    this.held.splice(0).forEach((go) => go());
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async forward(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
      ),
    );
    const answer = await fetch(new URL(request.url ?? '/', this.target), {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    return {
      status: answer.status,
      headers: { 'content-type': answer.headers.get('content-type') ?? 'text/plain' },
      body: Buffer.from(await answer.arrayBuffer()),
    };
  }
}
