import { readFileSync } from 'node:fs';
import type { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import { AuditTrail } from '#libs/audit';
import { backUpNode, restoreNode } from '#libs/backup';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadNodeConfig } from '#libs/node-config';

type NodeContext = Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;
type WithNode = <T>(work: (app: NodeContext) => Promise<T>) => Promise<T>;

const print = (value: unknown): void =>
  void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function readOption(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, `cannot read ${option} ${file}`, [
      { field: option },
    ]);
  }
}

/**
 * A restore refused over a node that is there (its schema holds an audit trail) is recorded in
 * that node's trail. Were the node not whole (its key files gone), the refusal is still reported,
 * with a warning that it could not be audited.
 */
async function auditRefusalOverNode(error: unknown, withNode: WithNode): Promise<void> {
  if (!(error instanceof GatewayError) || error.code !== ErrorCode.RESTORE_TARGET_NOT_EMPTY) return;
  const [detail] = error.details;
  if (detail?.field !== 'GATEWAY_DB_SCHEMA' || detail.auditTrail !== true) return;
  try {
    await withNode(async (app) => {
      await app.get(AuditTrail).record({
        event: 'node.restore-refused',
        actor: 'operator@cli',
        details: { code: error.code, schema: detail.schema, sha256: detail.sha256 },
      });
    });
  } catch (auditError) {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', component: 'cli', msg: 'the refused restore could not be audited', err: (auditError as Error).message })}\n`,
    );
  }
}

/**
 * Backup and restore of the node (README, "Backup and restore"); the work is done by libs/backup.
 * Restore opens the node (migrations, directory check, audit) only once its schema is back.
 */
export function addBackupCommands(program: Command, withNode: WithNode): void {
  program
    .command('backup')
    .description(
      "Write the node's schema and key files into one file encrypted to the operator's OpenPGP key (audited as backup.written)",
    )
    .requiredOption('--out <file>', 'the backup file (mode 600)')
    .requiredOption('--operator-key <file>', "the operator's armored OpenPGP public key")
    .action(async (options: { out: string; operatorKey: string }) => {
      const config = loadNodeConfig();
      const written = await backUpNode({
        authorityId: config.authorityId,
        database: config.database,
        env: process.env,
        operatorPublicKeyArmored: readOption(options.operatorKey, '--operator-key'),
        out: options.out,
        now: new Date(),
      });
      await withNode(async (app) => {
        await app
          .get(AuditTrail)
          .record({ event: 'backup.written', actor: 'operator@cli', details: { ...written } });
      });
      print(written);
    });

  program
    .command('restore')
    .description(
      'Rebuild the node from a backup on an empty schema and restore its key files (audited as node.restored); refuses a non-empty schema (RESTORE_TARGET_NOT_EMPTY)',
    )
    .requiredOption('--from <file>', 'the backup file')
    .requiredOption('--operator-secret-key <file>', "the operator's armored OpenPGP private key")
    .option('--passphrase-file <file>', "the operator key's passphrase")
    .action(
      async (options: { from: string; operatorSecretKey: string; passphraseFile?: string }) => {
        const config = loadNodeConfig();
        const restored = await restoreNode({
          authorityId: config.authorityId,
          database: config.database,
          env: process.env,
          from: options.from,
          operatorSecretKeyArmored: readOption(options.operatorSecretKey, '--operator-secret-key'),
          passphrase: options.passphraseFile
            ? readOption(options.passphraseFile, '--passphrase-file').replace(/\r?\n$/, '')
            : undefined,
        }).catch(async (error: unknown) => {
          await auditRefusalOverNode(error, withNode);
          throw error;
        });
        await withNode(async (app) => {
          await app
            .get(AuditTrail)
            .record({ event: 'node.restored', actor: 'operator@cli', details: { ...restored } });
        });
        print(restored);
      },
    );
}
