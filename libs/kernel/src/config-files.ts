import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `*.json` file of a configuration folder: its parsed content, or why it could not be read. */
export type ConfigFile = { name: string; path: string } & (
  { document: unknown; problem?: undefined } | { document?: undefined; problem: string }
);

/**
 * The `*.json` files of a configuration folder (deadline and retention profiles, policy settings,
 * the authority directory) in name order, each parsed or with the reason it could not be: the
 * loaders collect every problem and fail start-up once, with the full list. `undefined` when the
 * folder itself cannot be read.
 */
export function readJsonFolder(root: string): ConfigFile[] | undefined {
  let names: string[];
  try {
    names = readdirSync(root)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return undefined;
  }
  return names.map((name): ConfigFile => {
    const path = join(root, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return { name, path, problem: 'cannot be read' };
    }
    try {
      return { name, path, document: JSON.parse(text) as unknown };
    } catch (error) {
      return { name, path, problem: `not valid JSON: ${(error as Error).message}` };
    }
  });
}

export type ConfigFields = Record<string, unknown>;

export function isConfigObject(value: unknown): value is ConfigFields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unknown keys are errors: a misspelt field must not silently fall back to its default. */
export function onlyKnownKeys(
  value: ConfigFields,
  known: readonly string[],
  path: string,
  report: (field: string, message: string) => void,
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) report(`${path}.${key}`, 'is not a known field');
  }
}

export type ConfigReport = (field: string, message: string) => void;

/**
 * The profiles of a folder of `{ "profiles": [ ... ] }` files (deadline and retention profiles; one
 * file per instrument family, an optional `$comment`), in file order: `visit` reads each raw profile
 * with its field path and a reporter naming the file. Every problem is collected in `problems`, so
 * that start-up fails once with the full list. The files read, or `undefined` when the folder
 * itself cannot be read.
 */
export function visitProfileFiles(
  root: string,
  problems: Array<Record<string, unknown>>,
  visit: (raw: unknown, field: string, file: string, report: ConfigReport) => void,
): ConfigFile[] | undefined {
  const files = readJsonFolder(root);
  for (const { path, document, problem } of files ?? []) {
    if (problem !== undefined) {
      problems.push({ file: path, message: problem });
      continue;
    }
    const report: ConfigReport = (field, message) => problems.push({ file: path, field, message });
    if (!isConfigObject(document) || !Array.isArray(document.profiles)) {
      report('profiles', 'the file must hold an object { "profiles": [ ... ] }');
      continue;
    }
    onlyKnownKeys(document, ['$comment', 'profiles'], '$', report);
    document.profiles.forEach((raw, index) => visit(raw, `profiles[${index}]`, path, report));
  }
  return files;
}
