import { overridesFile, SETTING_GROUPS, SETTINGS, type Setting } from './settings.js';

/** The README's table of settings sits between these lines (README, "Running a node"). */
export const CONFIG_DOCS_BEGIN = '<!-- config:begin -->';
export const CONFIG_DOCS_END = '<!-- config:end -->';

const PROCESS_NAMES = { gateway: 'gateway', worker: 'worker', cli: 'CLI' } as const;

function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  for (const [size, unit] of units) {
    if (ms >= size) return `${Math.round((ms / size) * 10) / 10} ${unit}`;
  }
  return `${ms} ms`;
}

function bytes(count: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (count >= size && count % size === 0) return `${count / size} ${unit}`;
  }
  return `${count} B`;
}

/** A default as the README shows it: the value, and a reading of durations and sizes. */
function shown(setting: Setting, value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : `\`${value.join(',')}\``;
  if (typeof value === 'boolean') return value ? '`true`' : 'off';
  if (typeof value === 'number') {
    const reading = /_MS$/.test(setting.variable)
      ? duration(value)
      : /_BYTES$/.test(setting.variable)
        ? bytes(value)
        : undefined;
    return reading && reading !== `${value} B` ? `\`${value}\` (${reading})` : `\`${value}\``;
  }
  return `\`${String(value)}\``;
}

function defaultOf(setting: Setting, defaults: object): string {
  if (setting.required === true) return '**required**';
  if (setting.required) {
    const others = (SETTINGS as readonly Setting[])
      .filter((other) => other.required === setting.required && other !== setting)
      .map((other) => `\`${other.variable}\``);
    return `**required** (or ${others.join(', ')})`;
  }
  const fromFile = setting.path
    ? setting.path
        .split('.')
        .reduce<unknown>(
          (node, key) => (node as Record<string, unknown> | undefined)?.[key],
          defaults,
        )
    : undefined;
  const value = fromFile ?? setting.fallback;
  return value === undefined ? '' : shown(setting, value);
}

function typeOf(setting: Setting): string {
  if (setting.secret && setting.type.kind === 'file path') return 'secret file';
  if (setting.secret && setting.type.kind === 'text') return 'secret';
  return setting.type.kind;
}

/**
 * The README's tables of settings, one per group, from SETTINGS and the defaults of
 * config/gateway.json (`defaults`). The config path is given where the variable overrides it.
 */
export function settingsTables(defaults: object): string {
  const sections: string[] = [];
  for (const group of SETTING_GROUPS) {
    const rows = (SETTINGS as readonly Setting[])
      .filter((setting) => setting.group === group)
      .map((setting) => {
        const path = overridesFile(setting) ? ` (\`${setting.path}\`)` : '';
        const readers = setting.readers.map((reader) => PROCESS_NAMES[reader]).join(', ');
        return `| \`${setting.variable}\` | ${typeOf(setting)} | ${defaultOf(setting, defaults)}${path} | ${readers} | ${setting.description} |`;
      });
    sections.push(
      [
        `**${group}**`,
        '',
        '| variable | type | default (config path) | read by | what |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}

/** The README with its settings section replaced by `tables` (unformatted: prettier follows). */
export function withSettingsTables(readme: string, tables: string): string {
  const begin = readme.indexOf(CONFIG_DOCS_BEGIN);
  const end = readme.indexOf(CONFIG_DOCS_END);
  if (begin === -1 || end < begin) {
    throw new Error(`README.md must hold ${CONFIG_DOCS_BEGIN} and then ${CONFIG_DOCS_END}`);
  }
  return `${readme.slice(0, begin)}${CONFIG_DOCS_BEGIN}\n\n${tables}\n\n${readme.slice(end)}`;
}
