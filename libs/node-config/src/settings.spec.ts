import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  checkSetting,
  overridesFile,
  readSetting,
  SETTING_GROUPS,
  SETTINGS,
  settingOf,
  type Setting,
} from './settings.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SETTINGS_FILE = join(ROOT, 'libs/node-config/src/settings.ts');
const all = SETTINGS as readonly Setting[];

/** Source files of the product and its tooling, tests left out. */
function sourceFiles(folders: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist'].includes(entry.name)) walk(path);
      } else if (
        /\.(ts|tsx|mjs)$/.test(entry.name) &&
        !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)
      ) {
        found.push(path);
      }
    }
  };
  for (const folder of folders) walk(join(ROOT, folder));
  return found;
}

/**
 * The environment variables a source text names: every `GATEWAY_*` name (not a `GATEWAY_FILES_*`
 * family mention), and any other name read as `env.NAME` or `env['NAME']`.
 */
function variablesIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/\bGATEWAY_[A-Z0-9_]+/g)) {
    const name = match[0];
    if (text[match.index + name.length] === '*' || name.endsWith('_')) continue;
    names.add(name);
  }
  for (const match of text.matchAll(/\benv(?:\.|\[\s*['"])([A-Z][A-Z0-9_]*)\b/g)) {
    names.add(match[1]);
  }
  return names;
}

/** Read by the system, not the node: passed on to child processes as it is. */
const SYSTEM_VARIABLES = new Set(['PATH']);

describe('the settings schema', () => {
  it('finds the variables a text names, and only those', () => {
    expect([
      ...variablesIn(
        "const a = process.env.GATEWAY_NEW_THING; env['PG_HOME']; env.LOG_LEVEL; `GATEWAY_FILES_*`; 'GATEWAY_TLS_'",
      ),
    ]).toEqual(['GATEWAY_NEW_THING', 'PG_HOME', 'LOG_LEVEL']);
  });

  it('lists every environment variable the source reads', () => {
    const known = new Set(all.map((setting) => setting.variable));
    const unknown: string[] = [];
    for (const file of sourceFiles(['apps', 'libs', 'tools', 'bench'])) {
      for (const name of variablesIn(readFileSync(file, 'utf8'))) {
        if (!known.has(name) && !SYSTEM_VARIABLES.has(name)) {
          unknown.push(`${name} (${relative(ROOT, file)})`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    // Settings with a path are read by loadNodeConfig through the schema; any other must be
    // named by the product code that reads it.
    const named = new Set<string>();
    for (const file of sourceFiles(['apps', 'libs']).filter((file) => file !== SETTINGS_FILE)) {
      for (const name of variablesIn(readFileSync(file, 'utf8'))) named.add(name);
      for (const match of readFileSync(file, 'utf8').matchAll(/'([A-Z][A-Z0-9_]+)'/g)) {
        named.add(match[1]);
      }
    }
    const unread = all
      .filter((setting) => setting.path === undefined && !named.has(setting.variable))
      .map((setting) => setting.variable);
    expect(unread).toEqual([]);
  });

  it('declares each variable once, in a README group, with a description and its readers', () => {
    const names = all.map((setting) => setting.variable);
    expect(names.length).toBe(new Set(names).size);
    for (const setting of all) {
      expect([setting.variable, SETTING_GROUPS.includes(setting.group)]).toEqual([
        setting.variable,
        true,
      ]);
      expect(setting.description.length).toBeGreaterThan(5);
      expect(setting.readers.length).toBeGreaterThan(0);
    }
    // Groups appear in the README's order: a group's settings are together.
    const order = all.map((setting) => SETTING_GROUPS.indexOf(setting.group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('gives a default to every setting of config/gateway.json, and only there', () => {
    const defaults = JSON.parse(readFileSync(join(ROOT, 'config/gateway.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const inFile = (path: string) =>
      path
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], defaults) !==
      undefined;
    for (const setting of all.filter((s) => s.path !== undefined)) {
      expect([setting.variable, inFile(setting.path!)]).toEqual([
        setting.variable,
        overridesFile(setting),
      ]);
    }
  });

  it('reads every positive integer written in digits, and refuses what is not one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(readSetting('GATEWAY_FILES_MAX_BYTES', { GATEWAY_FILES_MAX_BYTES: String(n) })).toBe(
          n,
        );
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }).map(String),
          fc.double({ noInteger: true }).map(String),
          fc.string().filter((s) => s.trim() !== '' && !Number.isSafeInteger(Number(s))),
        ),
        (raw) => {
          const error = (() => {
            try {
              readSetting('GATEWAY_FILES_MAX_BYTES', { GATEWAY_FILES_MAX_BYTES: raw });
            } catch (caught) {
              return caught as GatewayError;
            }
            return undefined;
          })();
          expect(error?.code).toBe(ErrorCode.CONFIGURATION_INVALID);
          expect(error?.details).toEqual([
            { field: 'GATEWAY_FILES_MAX_BYTES', message: expect.any(String) as string },
          ]);
        },
      ),
    );
  });

  it('refuses a blank number rather than reading it as 0', () => {
    for (const raw of ['', ' ']) {
      expect(() =>
        readSetting('GATEWAY_FILES_MIN_FREE_BYTES', { GATEWAY_FILES_MIN_FREE_BYTES: raw }),
      ).toThrow(GatewayError);
    }
    expect(readSetting('GATEWAY_FILES_MIN_FREE_BYTES', { GATEWAY_FILES_MIN_FREE_BYTES: '0' })).toBe(
      0,
    );
    expect(readSetting('GATEWAY_FILES_MIN_FREE_BYTES', {})).toBe(1024 ** 3);
  });

  it('keeps the default of an unset or empty text setting', () => {
    expect(readSetting('GATEWAY_POLICY_DIR', {})).toBe('config/policy');
    expect(readSetting('GATEWAY_POLICY_DIR', { GATEWAY_POLICY_DIR: '' })).toBe('config/policy');
    expect(readSetting('GATEWAY_POLICY_DIR', { GATEWAY_POLICY_DIR: '/etc/p' })).toBe('/etc/p');
    expect(readSetting('GATEWAY_CLOCK_OFFSET_FILE', {})).toBeUndefined();
    expect(readSetting('LOG_LEVEL', {})).toBe('info');
    expect(() => readSetting('LOG_LEVEL', { LOG_LEVEL: 'loud' })).toThrow(GatewayError);
  });

  it('never repeats the value of a secret setting in its problems', () => {
    const secrets = all.filter((setting) => setting.secret);
    expect(secrets.map((s) => s.variable)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'GATEWAY_SMTP_URL', 'GATEWAY_KEY_PASSPHRASE']),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...secrets),
        fc.string({ minLength: 6 }).filter((s) => /^[A-Za-z0-9]+$/.test(s)),
        (setting, password) => {
          const value = setting.type.fromEnv(`ftp://user:${password}@host, ${password}`);
          const checked = checkSetting(setting, value);
          if (!checked.ok) expect(JSON.stringify(checked.problems)).not.toContain(password);
        },
      ),
    );
  });

  it('reads lists item by item, naming each bad item', () => {
    expect(settingOf('GATEWAY_TRUSTED_PROXIES').type.fromEnv(' 10.0.0.0/8, ,192.0.2.7 ')).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
    ]);
    expect(
      checkSetting(settingOf('GATEWAY_TRUSTED_PROXIES') as Setting, [
        '10.0.0.1',
        'proxy',
        '::1/129',
      ]),
    ).toEqual({
      ok: false,
      problems: [
        { field: 'GATEWAY_TRUSTED_PROXIES', message: 'proxy is not an IP address or CIDR block' },
        { field: 'GATEWAY_TRUSTED_PROXIES', message: '::1/129 is not an IP address or CIDR block' },
      ],
    });
  });
});
