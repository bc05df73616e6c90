import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { readSetting } from '#libs/node-config';

type Env = Record<string, string | undefined>;

/**
 * libpq's variables for a connection URL: the tools get the password through their environment,
 * never on a command line that `ps` shows.
 */
export function libpqEnvironment(url: string): Record<string, string> {
  const parsed = new URL(url);
  const variables: Record<string, string | undefined> = {
    PGHOST: decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, '') || undefined,
    PGPORT: parsed.port || undefined,
    PGUSER: decodeURIComponent(parsed.username) || undefined,
    PGPASSWORD: decodeURIComponent(parsed.password) || undefined,
    PGDATABASE: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    PGSSLMODE: parsed.searchParams.get('sslmode') ?? undefined,
  };
  return Object.fromEntries(
    Object.entries(variables).filter((entry): entry is [string, string] => !!entry[1]),
  );
}

/** The major version of a `server_version_num` (150020 → 15) or of `pg_dump --version` output. */
export function majorVersion(version: string): number | undefined {
  const number = /^\d{5,6}$/.test(version.trim())
    ? Math.floor(Number(version) / 10_000)
    : Number(/\b(\d+)(?:\.\d+)+/.exec(version)?.[1] ?? /PostgreSQL\)?\s+(\d+)/.exec(version)?.[1]);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/**
 * pg_dump and pg_restore of the server's major version: PG_BIN, else the distribution's
 * /usr/lib/postgresql/<major>/bin, else the PATH. Another major version is refused: a newer pg_dump
 * writes archives an older pg_restore cannot read, an older one refuses a newer server.
 */
export async function postgresTools(
  serverVersionNum: string,
  env: Env = process.env,
): Promise<{ pgDump: string; pgRestore: string; version: string }> {
  const major = majorVersion(serverVersionNum);
  const distribution = `/usr/lib/postgresql/${major}/bin`;
  const folder =
    readSetting('PG_BIN', env) ?? (existsSync(distribution) ? distribution : undefined);
  const tool = (name: string) => (folder ? join(folder, name) : name);
  const versions = await Promise.all(
    ['pg_dump', 'pg_restore'].map(async (name) =>
      (await runTool(tool(name), ['--version'], {})).toString('utf8').trim(),
    ),
  );
  for (const version of versions) {
    if (majorVersion(version) !== major) {
      throw new GatewayError(
        ErrorCode.BACKUP_TOOL_UNAVAILABLE,
        `${version} is not of the server's major version ${major}: set PG_BIN to its bin folder`,
        [{ field: 'PG_BIN' }],
      );
    }
  }
  return { pgDump: tool('pg_dump'), pgRestore: tool('pg_restore'), version: versions[0] };
}

/**
 * Runs a PostgreSQL tool with the connection in its environment, optionally feeding stdin, and
 * returns its standard output. A failure names the tool, its exit code and its last lines of
 * standard error (which hold SQL errors, never the password).
 */
export function runTool(
  command: string,
  args: string[],
  connection: Record<string, string>,
  input?: Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...connection },
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    let errors = '';
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error) =>
      reject(
        new GatewayError(
          ErrorCode.BACKUP_TOOL_UNAVAILABLE,
          `cannot run ${command}: ${error.message}`,
          [{ field: 'PG_BIN' }],
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(output));
      reject(
        new GatewayError(ErrorCode.BACKUP_TOOL_UNAVAILABLE, `${command} failed (exit ${code})`, [
          { field: 'PG_BIN', stderr: errors.trim().split('\n').slice(-5).join('\n') },
        ]),
      );
    });
    if (input) {
      // A tool that exits early closes its stdin: reported by 'close' above.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}
