import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import {
  issueToken,
  parseNewAccounts,
  TOKEN_SETTINGS,
  UserAccounts,
  type TokenSettings,
} from '#libs/access';
import { AuditTrail, CheckAuditWitnesses } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { generateAuthorityKeyPair } from '#libs/envelope';
import { writeEvidenceBundle, writeAttachments, type EvidenceBundle } from '#libs/evidence';
import { loadNodeConfig, NodeIdentity, readKeyPassphrase, readSetting } from '#libs/node-config';
import { CliModule } from './cli.module.js';
import { addBackupCommands } from './backup-commands.js';
import { addDirectoryCommands, addKeyCommands } from './key-commands.js';
import { runDemo } from './demo.js';

async function withNode<T>(
  work: (app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

const program = new Command('gateway-cli').description(
  'Operator commands of a cooperation gateway node',
);

program
  .command('demo')
  .description('Run a local network of two gateway nodes and exchange a real request')
  .option('--out <dir>', 'write envelopes, receipts, keys and summary.json to this folder')
  .option(
    '--work-dir <dir>',
    'where the network keeps its keys, directory and logs (default .demo/)',
  )
  .option('--keep', 'keep the network running after the tour, for the officer console')
  .action((options: { out?: string; workDir?: string; keep?: boolean }) => runDemo(options));

const audit = program.command('audit').description('The hash-chained audit trail');
audit
  .command('verify')
  .description("Re-compute this node's audit chain and name the first broken entry")
  .option(
    '--witnesses',
    'also check the chain against the signed heads its peers hold (AUDIT_WITNESS_MISMATCH)',
  )
  .action((options: { witnesses?: boolean }) =>
    withNode(async (app) => {
      const result = await app.get(AuditTrail).verify();
      // A chain rewritten and re-hashed passes the first check; only the peers' heads tell.
      const witnesses = options.witnesses
        ? await app.get(CheckAuditWitnesses).execute()
        : undefined;
      process.stdout.write(
        `${JSON.stringify(witnesses ? { ...result, witnesses } : result, null, 2)}\n`,
      );
      if (!result.ok || (witnesses && !witnesses.ok)) process.exitCode = 3;
    }),
  );

program
  .command('evidence')
  .description('Export the evidence bundle of a message')
  .argument('<messageId>')
  .requiredOption('--out <dir>', 'folder to write the bundle to')
  .action(async (messageId: string, options: { out: string }) => {
    const response = await gatewayCall(
      `/api/v1/messages/${encodeURIComponent(messageId)}/evidence`,
    );
    if (!response.ok) {
      process.stdout.write(`${await response.text()}\n`);
      process.exitCode = response.status >= 500 ? 1 : 4;
      return;
    }
    const bundle = (await response.json()) as EvidenceBundle;
    const files = writeEvidenceBundle(bundle, options.out);
    // The files' sealed chunks, one request each: bundle.json lists them, not their bytes.
    const attachments = join(options.out, 'attachments');
    const written = await writeAttachments(
      bundle.attachments,
      attachments,
      async (position, index) => {
        const chunk = await gatewayCall(
          `/api/v1/messages/${encodeURIComponent(messageId)}/evidence/attachments/${position}/chunks/${index}`,
        );
        if (!chunk.ok || !chunk.body)
          throw new Error(`chunk ${index} of attachment ${position}: ${await chunk.text()}`);
        return chunk.body;
      },
    );
    process.stdout.write(
      `${[...files.map((f) => join(options.out, f)), ...written.map((f) => join(attachments, f))].join('\n')}\n`,
    );
  });

const print = (value: unknown): void =>
  void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/**
 * Officer commands go through the node's own gateway API with the officer's token
 * (GATEWAY_TOKEN_FILE or GATEWAY_TOKEN), so that they pass exactly the authentication, the
 * permission table, the policy decision point and the audit that the HTTP API applies.
 */
async function gatewayCall(
  path: string,
  init?: { method: string; body: unknown },
): Promise<Response> {
  const { http } = loadNodeConfig();
  const tokenFile = readSetting('GATEWAY_TOKEN_FILE');
  const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : readSetting('GATEWAY_TOKEN');
  if (!token) throw new Error('set GATEWAY_TOKEN_FILE or GATEWAY_TOKEN (see `users token`)');
  return fetch(`http://${http.host}:${http.port}${path}`, {
    method: init?.method ?? 'GET',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: init ? JSON.stringify(init.body) : undefined,
  });
}

async function gateway(path: string, init?: { method: string; body: unknown }): Promise<void> {
  const response = await gatewayCall(path, init);
  const text = await response.text();
  process.stdout.write(`${text}\n`);
  if (!response.ok) process.exitCode = response.status >= 500 ? 1 : 4;
}

const cases = program
  .command('cases')
  .description('Cases, their requests, states and deadline clocks (as your token may see them)');
cases
  .command('list')
  .description('Requests you may see, newest first')
  .option('--procedure <procedure>', 'mla, jit, nationality-verification or assets')
  .option('--state <state>', 'a procedure state, e.g. acknowledged')
  .option('--due-within-hours <hours>', 'with a running deadline due within this many hours')
  .option('--overdue', 'with a deadline already past due')
  .action(
    (options: {
      procedure?: string;
      state?: string;
      dueWithinHours?: string;
      overdue?: boolean;
    }) => {
      const query = new URLSearchParams({ limit: '500' });
      if (options.procedure) query.set('procedure', options.procedure);
      if (options.state) query.set('state', options.state);
      if (options.dueWithinHours) query.set('dueWithinHours', options.dueWithinHours);
      if (options.overdue) query.set('overdue', 'true');
      return gateway(`/api/v1/requests?${query.toString()}`);
    },
  );
cases
  .command('show')
  .description('A case with each request’s thread, state and deadlines')
  .argument('<reference>')
  .action((reference: string) => gateway(`/api/v1/cases/${encodeURIComponent(reference)}`));
cases
  .command('request')
  .description('One request with its thread, state and deadlines')
  .argument('<requestId>')
  .action((requestId: string) => gateway(`/api/v1/requests/${encodeURIComponent(requestId)}`));

const readDraft = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

cases
  .command('open')
  .description('Open a request: a JSON draft as for POST /api/v1/messages')
  .requiredOption('--file <draft.json>')
  .action((options: { file: string }) =>
    gateway('/api/v1/messages', { method: 'POST', body: readDraft(options.file) }),
  );
cases
  .command('answer')
  .description(
    'Answer in a request’s thread: a JSON draft { messageType, body, acknowledgements? }',
  )
  .argument('<requestId>')
  .requiredOption('--file <answer.json>')
  .action((requestId: string, options: { file: string }) =>
    gateway(`/api/v1/requests/${requestId}/messages`, {
      method: 'POST',
      body: readDraft(options.file),
    }),
  );
cases
  .command('withdraw')
  .description('Withdraw a request')
  .argument('<requestId>')
  .requiredOption('--reasons <text>')
  .action((requestId: string, options: { reasons: string }) =>
    gateway(`/api/v1/requests/${requestId}/withdraw`, {
      method: 'POST',
      body: { reasons: options.reasons },
    }),
  );

program
  .command('explain')
  .description('Evaluate a draft at the policy decision point without sending it')
  .requiredOption('--file <draft.json>')
  .action((options: { file: string }) =>
    gateway('/api/v1/policy/explain', { method: 'POST', body: readDraft(options.file) }),
  );

const users = program
  .command('users')
  .description('Accounts of the authorities this node serves, and their credentials');
users
  .command('import')
  .description(
    'Create accounts from a JSON array of { username, kind, authorityId, roles, jits? } (audited)',
  )
  .requiredOption('--file <accounts.json>')
  .action((options: { file: string }) =>
    withNode(async (app) => {
      const accounts = parseNewAccounts(readDraft(options.file));
      const identity = app.get(NodeIdentity);
      const foreign = accounts.filter((account) => !identity.hosts(account.authorityId));
      if (foreign.length > 0) {
        throw new GatewayError(
          ErrorCode.VALIDATION_FAILED,
          `not served by this node: ${foreign.map((a) => a.authorityId).join(', ')}`,
        );
      }
      await app.get(UserAccounts).create(
        accounts.map((account) => ({ ...account, jits: account.jits ?? [] })),
        'operator@cli',
      );
      print(accounts.map(({ username, authorityId, roles }) => ({ username, authorityId, roles })));
    }),
  );
users
  .command('token')
  .description(
    'Issue a bearer token for an active account and write it to a file (mode 600); audited',
  )
  .requiredOption('--username <username>')
  .requiredOption('--out <file>', 'where to write the token (it is never printed)')
  .option('--ttl-seconds <seconds>', 'lifetime', '28800')
  .action((options: { username: string; out: string; ttlSeconds: string }) =>
    withNode(async (app) => {
      const account = await app.get(UserAccounts).active(options.username);
      if (!account) {
        throw new GatewayError(
          ErrorCode.VALIDATION_FAILED,
          `no active account ${options.username}`,
        );
      }
      const token = await issueToken(
        app.get<TokenSettings>(TOKEN_SETTINGS),
        { username: account.username, authorityId: account.authorityId },
        Number(options.ttlSeconds),
      );
      writeFileSync(options.out, `${token}\n`, { mode: 0o600 });
      await app.get(AuditTrail).record({
        event: 'token.issued',
        actor: 'operator@cli',
        details: { username: account.username, ttlSeconds: Number(options.ttlSeconds) },
      });
      print({ username: account.username, tokenFile: options.out });
    }),
  );
users
  .command('api-key')
  .description('Issue an API key for a service account and write it to a file (mode 600)')
  .requiredOption('--username <username>')
  .requiredOption('--label <label>')
  .requiredOption('--out <file>')
  .action((options: { username: string; label: string; out: string }) =>
    withNode(async (app) => {
      const { id, key } = await app
        .get(UserAccounts)
        .issueApiKey(options.username, options.label, 'operator@cli');
      writeFileSync(options.out, `${key}\n`, { mode: 0o600 });
      print({ id, username: options.username, apiKeyFile: options.out });
    }),
  );
users
  .command('disable')
  .description('Disable an account: its tokens and API keys stop working at once')
  .argument('<username>')
  .action((username: string) =>
    withNode(async (app) => {
      if (!(await app.get(UserAccounts).disable(username, 'operator@cli'))) process.exitCode = 4;
      print({ username, disabled: process.exitCode !== 4 });
    }),
  );

const keys = program.command('keys').description('Authority keys');
keys
  .command('generate')
  .description(
    'Generate a v4 Ed25519/Cv25519 key pair, the private key encrypted with the passphrase from GATEWAY_KEY_PASSPHRASE_FILE or GATEWAY_KEY_PASSPHRASE',
  )
  .requiredOption('--authority <id>', 'authority id, e.g. FR-MOJ-BEPI')
  .requiredOption('--name <name>', 'authority name')
  .requiredOption('--out <dir>', 'folder for <id>.key.asc (mode 600) and <id>.asc')
  .option('--expires-in-days <days>', 'OpenPGP key expiry (default: none)', Number)
  .action(
    async (options: { authority: string; name: string; out: string; expiresInDays?: number }) => {
      const pair = await generateAuthorityKeyPair({
        authorityId: options.authority,
        authorityName: options.name,
        passphrase: readKeyPassphrase(),
        expiresInDays: options.expiresInDays,
      });
      mkdirSync(options.out, { recursive: true });
      writeFileSync(join(options.out, `${options.authority}.key.asc`), pair.privateKeyArmored, {
        mode: 0o600,
      });
      writeFileSync(join(options.out, `${options.authority}.asc`), pair.publicKeyArmored);
      process.stdout.write(
        `${JSON.stringify({ authority: options.authority, fingerprint: pair.fingerprint }, null, 2)}\n`,
      );
    },
  );
addKeyCommands(keys);
const secrets = program.command('secrets').description("A node's random secrets");
secrets
  .command('generate')
  .description(
    'Write fresh random bytes to a new file (mode 600), never printed: a data key (GATEWAY_DATA_KEY_FILE, 32 bytes), a token or register secret, or with --text a passphrase',
  )
  .requiredOption('--out <file>', 'the file to create; an existing file is never overwritten')
  .option('--bytes <count>', 'random bytes (at least 32)', Number, 32)
  .option('--text', 'write them as base64url text (a passphrase) rather than raw bytes')
  .action((options: { out: string; bytes: number; text?: boolean }) => {
    if (!Number.isSafeInteger(options.bytes) || options.bytes < 32) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        '--bytes must be an integer of at least 32',
      );
    }
    const secret = randomBytes(options.bytes);
    writeFileSync(options.out, options.text ? secret.toString('base64url') : secret, {
      mode: 0o600,
      flag: 'wx',
    });
    secret.fill(0);
    print({ file: options.out, bytes: options.bytes, text: options.text === true });
  });
addDirectoryCommands(program);
addBackupCommands(program, withNode);

program.version(
  String(
    (
      JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version,
  ),
);

program.parseAsync().catch((error: Error) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', component: 'cli', msg: error.message, ...((error as { code?: string }).code ? { code: (error as { code?: string }).code } : {}) })}\n`,
  );
  process.exit(1);
});
