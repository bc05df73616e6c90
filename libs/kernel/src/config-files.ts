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
