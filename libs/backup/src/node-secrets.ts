import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { SECRET_VARIABLES, type BackupSecret, type SecretVariable } from './backup-archive.js';

type Env = Record<string, string | undefined>;

/** The files a variable names: one, or a comma-separated list (retired data keys). */
function filesOf(variable: SecretVariable, env: Env): string[] {
  return (env[variable] ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
}

/** Reads every secret file the node's environment names. Errors name the variable, never content. */
export function collectSecrets(env: Env): BackupSecret[] {
  return SECRET_VARIABLES.flatMap((variable) =>
    filesOf(variable, env).map((file, index) => {
      try {
        return { variable, index, content: readFileSync(file) };
      } catch {
        throw new GatewayError(
          ErrorCode.KEY_UNAVAILABLE,
          `the file named by ${variable} cannot be read`,
          [{ field: variable }],
        );
      }
    }),
  );
}

export interface SecretPlacement {
  variable: SecretVariable;
  file: string;
  content: Buffer;
  /** The file is already there with exactly this content. */
  present: boolean;
}

/**
 * Where each secret of a backup goes: the file its variable names in the restoring node's
 * environment. A file already there with other content is never overwritten (it may be another
 * node's live key): RESTORE_TARGET_NOT_EMPTY names the variable.
 */
export function placeSecrets(secrets: BackupSecret[], env: Env): SecretPlacement[] {
  return secrets.map(({ variable, index, content }) => {
    const file = filesOf(variable, env)[index];
    if (file === undefined) {
      throw new GatewayError(
        ErrorCode.CONFIGURATION_INVALID,
        `the backup holds a file for ${variable}${index > 0 ? ` (entry ${index + 1})` : ''}: set it to where the restored node reads it`,
        [{ field: variable }],
      );
    }
    const present = existsSync(file);
    if (present && !readFileSync(file).equals(content)) {
      throw new GatewayError(
        ErrorCode.RESTORE_TARGET_NOT_EMPTY,
        `the file named by ${variable} exists with other content: remove it to restore the backup's`,
        [{ field: variable }],
      );
    }
    return { variable, file, content, present };
  });
}

/** Writes the secrets not yet in place, owner-only, each through a rename so none is half-written. */
export function writeSecrets(placements: SecretPlacement[]): void {
  for (const { file, content, present } of placements) {
    if (present) continue;
    // A new machine may not have the secrets folder yet: made owner-only, as the files.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const partial = `${file}.restoring`;
    writeFileSync(partial, content, { mode: 0o600 });
    chmodSync(partial, 0o600);
    renameSync(partial, file);
  }
}
