import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readSignedDirectory, readTrustAnchors, REVOCATION_REASONS } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { exportKey, importKey, publishDirectory, revokeKey, rotateKey } from '#libs/keys';
import { readKeyPassphrase, readSetting } from '#libs/node-config';

const print = (value: unknown): void =>
  void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function time(value: string | undefined, option: string): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, `${option} must be an RFC 3339 time`);
  }
  return date;
}

/** The node's key ring: --ring, or the file the node itself reads. */
function ringFile(ring: string | undefined): string {
  const file = ring ?? readSetting('GATEWAY_PRIVATE_KEY_FILE');
  if (!file) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      'give --ring or set GATEWAY_PRIVATE_KEY_FILE',
    );
  }
  return file;
}

/** Key lifecycle commands; the work is done by libs/keys. */
export function addKeyCommands(keys: Command): void {
  keys
    .command('rotate')
    .description(
      "Add a new key (passphrase from GATEWAY_KEY_PASSPHRASE_FILE) to the node's key ring and to the authority's directory entry (and those of authorities hosted with it); the previous key stays valid for the overlap",
    )
    .requiredOption('--directory <dir>', 'directory folder of authority files')
    .requiredOption('--authority <id>', 'the authority whose key is rotated')
    .option('--ring <file>', 'key ring (default GATEWAY_PRIVATE_KEY_FILE)')
    .option('--valid-from <time>', 'when the new key takes over (default now)')
    .option('--overlap-days <days>', 'how long the previous key stays valid after', Number, 30)
    .option('--expires-in-days <days>', 'OpenPGP expiry of the new key', Number)
    .action(
      async (options: {
        directory: string;
        authority: string;
        ring?: string;
        validFrom?: string;
        overlapDays: number;
        expiresInDays?: number;
      }) =>
        print(
          await rotateKey({
            directory: options.directory,
            authorityId: options.authority,
            ringFile: ringFile(options.ring),
            passphrase: readKeyPassphrase(),
            validFrom: time(options.validFrom, '--valid-from'),
            overlapDays: options.overlapDays,
            expiresInDays: options.expiresInDays,
          }),
        ),
    );

  keys
    .command('revoke')
    .description('Revoke a key in every directory entry that lists it')
    .requiredOption('--directory <dir>', 'directory folder of authority files')
    .requiredOption('--fingerprint <fingerprint>', 'the key to revoke')
    .requiredOption('--reason <reason>', REVOCATION_REASONS.join(', '))
    .option('--at <time>', 'from when (default now); a compromised key is refused whatever time')
    .action(
      async (options: { directory: string; fingerprint: string; reason: string; at?: string }) => {
        if (!(REVOCATION_REASONS as readonly string[]).includes(options.reason)) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            `--reason must be one of ${REVOCATION_REASONS.join(', ')}`,
          );
        }
        print(
          await revokeKey({
            directory: options.directory,
            fingerprint: options.fingerprint,
            reason: options.reason as (typeof REVOCATION_REASONS)[number],
            at: time(options.at, '--at'),
          }),
        );
      },
    );

  keys
    .command('import')
    .description(
      "Import a key: a public key into authorities' directory entries, or a passphrase-protected private key into the node's key ring",
    )
    .argument('<file>', 'armored OpenPGP key')
    .option('--directory <dir>', '(public key) directory folder of authority files')
    .option('--authority <ids...>', '(public key) the authorities that use it')
    .option('--valid-from <time>', '(public key) default now')
    .option('--valid-until <time>', '(public key) end of its validity')
    .option('--ring <file>', '(private key) key ring (default GATEWAY_PRIVATE_KEY_FILE)')
    .action(
      async (
        file: string,
        options: {
          directory?: string;
          authority?: string[];
          validFrom?: string;
          validUntil?: string;
          ring?: string;
        },
      ) => {
        const armored = readFileSync(file, 'utf8');
        if (armored.includes('PRIVATE KEY BLOCK')) {
          print(
            await importKey(armored, {
              ringFile: ringFile(options.ring),
              passphrase: readKeyPassphrase(),
            }),
          );
          return;
        }
        if (!options.directory || !options.authority) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            'a public key needs --directory and --authority',
          );
        }
        print(
          await importKey(armored, {
            directory: options.directory,
            authorityIds: options.authority,
            validFrom: time(options.validFrom, '--valid-from'),
            validUntil: options.validUntil ? time(options.validUntil, '--valid-until') : undefined,
          }),
        );
      },
    );

  keys
    .command('export')
    .description(
      "Export a key of the node's ring: its public key, or with --private the private key still encrypted with the node's passphrase",
    )
    .requiredOption('--fingerprint <fingerprint>')
    .option('--private', 'the encrypted private key, as stored')
    .option('--ring <file>', 'key ring (default GATEWAY_PRIVATE_KEY_FILE)')
    .option('--out <file>', 'write to this file (mode 600 for a private key) instead of stdout')
    .action(
      async (options: { fingerprint: string; private?: boolean; ring?: string; out?: string }) => {
        const armored = await exportKey({
          ringFile: ringFile(options.ring),
          fingerprint: options.fingerprint,
          private: options.private ?? false,
        });
        if (options.out) {
          writeFileSync(options.out, armored, { mode: options.private ? 0o600 : 0o644 });
        } else {
          process.stdout.write(armored);
        }
      },
    );
}

/** The signed directory: what the directory authority publishes and every node verifies. */
export function addDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('The authority directory as a signed document');
  directory
    .command('sign')
    .description(
      "Sign a directory folder with the directory authority's key (passphrase from GATEWAY_KEY_PASSPHRASE_FILE) into one document",
    )
    .requiredOption('--directory <dir>', 'directory folder of authority files')
    .requiredOption('--key <file>', "the directory authority's armored private key")
    .requiredOption('--out <file>', 'the signed document (GATEWAY_DIRECTORY_FILE of the nodes)')
    .option('--issued-at <time>', 'default now; nodes refuse a document older than one accepted')
    .action(async (options: { directory: string; key: string; out: string; issuedAt?: string }) =>
      print(
        await publishDirectory({
          directory: options.directory,
          signingKeyFile: options.key,
          passphrase: readKeyPassphrase(),
          issuedAt: time(options.issuedAt, '--issued-at'),
          out: options.out,
        }),
      ),
    );
  directory
    .command('verify')
    .description('Verify a signed directory against a trust anchor, as a node does at start-up')
    .requiredOption('--file <file>', 'the signed document')
    .requiredOption('--trust-anchor <file>', "the directory authority's public key(s)")
    .action(async (options: { file: string; trustAnchor: string }) => {
      const verified = await readSignedDirectory(
        readFileSync(options.file, 'utf8'),
        await readTrustAnchors(readFileSync(options.trustAnchor, 'utf8')),
        options.file,
      );
      print({
        issuedAt: verified.version!.issuedAt.toISOString(),
        signer: verified.version!.signer,
        digest: verified.digest,
        authorities: verified.all().map((authority) => authority.id),
      });
    });
}
