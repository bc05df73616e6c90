import 'reflect-metadata';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { AuditTrail } from '#libs/audit';
import { CaseQueries } from '#libs/cases';
import { Clock } from '#libs/node-config';
import { generateAuthorityKeyPair } from '#libs/envelope';
import { ExportEvidence, writeEvidenceBundle } from '#libs/evidence';
import { loadNodeConfig, readKeyPassphrase } from '#libs/node-config';
import { CliModule } from './cli.module.js';
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
  .action((options: { out?: string; workDir?: string }) => runDemo(options));

const audit = program.command('audit').description('The hash-chained audit trail');
audit
  .command('verify')
  .description("Re-compute this node's audit chain and name the first broken entry")
  .action(() =>
    withNode(async (app) => {
      const result = await app.get(AuditTrail).verify();
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (!result.ok) process.exitCode = 3;
    }),
  );

program
  .command('evidence')
  .description('Export the evidence bundle of a message')
  .argument('<messageId>')
  .requiredOption('--out <dir>', 'folder to write the bundle to')
  .action((messageId: string, options: { out: string }) =>
    withNode(async (app) => {
      const bundle = await app
        .get(ExportEvidence)
        .execute(messageId, { actor: 'operator@cli', correlationId: null });
      const files = writeEvidenceBundle(bundle, options.out);
      process.stdout.write(`${files.map((f) => join(options.out, f)).join('\n')}\n`);
    }),
  );

const print = (value: unknown): void =>
  void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

const cases = program
  .command('cases')
  .description('Cases, their requests, states and deadline clocks');
cases
  .command('list')
  .description('Requests of this authority, newest first')
  .option('--procedure <procedure>', 'mla, jit, nationality-verification or assets')
  .option('--state <state>', 'a procedure state, e.g. acknowledged')
  .option(
    '--due-within-hours <hours>',
    'with a running deadline due within this many hours',
    Number,
  )
  .option('--overdue', 'with a deadline already past due')
  .action(
    (options: { procedure?: string; state?: string; dueWithinHours?: number; overdue?: boolean }) =>
      withNode(async (app) => {
        const now = app.get(Clock).now().getTime();
        print(
          await app.get(CaseQueries).list({
            procedure: options.procedure,
            status: options.state,
            dueBefore: options.dueWithinHours
              ? new Date(now + options.dueWithinHours * 3600_000)
              : undefined,
            overdueAt: options.overdue ? new Date(now) : undefined,
            limit: 500,
          }),
        );
      }),
  );
cases
  .command('show')
  .description('A case with each request’s thread, state and deadlines')
  .argument('<reference>')
  .action((reference: string) =>
    withNode(async (app) => print(await app.get(CaseQueries).caseFile(reference))),
  );
cases
  .command('request')
  .description('One request with its thread, state and deadlines')
  .argument('<requestId>')
  .action((requestId: string) =>
    withNode(async (app) => print(await app.get(CaseQueries).request(requestId))),
  );

/**
 * Officer actions go through the node's own gateway API, so that they pass exactly the checks,
 * the policy decision point and the audit that the HTTP API applies.
 */
async function gateway(path: string, init?: { method: string; body: unknown }): Promise<void> {
  const { http } = loadNodeConfig();
  const response = await fetch(`http://${http.host}:${http.port}${path}`, {
    method: init?.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  process.stdout.write(`${text}\n`);
  if (!response.ok) process.exitCode = response.status >= 500 ? 1 : 4;
}

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
addDirectoryCommands(program);

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
