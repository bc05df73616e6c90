import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { SETTINGS } from './settings.js';
import {
  CONFIG_DOCS_BEGIN,
  CONFIG_DOCS_END,
  settingsTables,
  withSettingsTables,
} from './settings-docs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = join(ROOT, 'README.md');
const defaults = JSON.parse(readFileSync(join(ROOT, 'config/gateway.json'), 'utf8')) as object;

/** The README as `npm run config:docs` writes it. */
async function generated(readme: string): Promise<string> {
  const options = (await prettier.resolveConfig(README)) ?? {};
  return prettier.format(withSettingsTables(readme, settingsTables(defaults)), {
    ...options,
    filepath: README,
  });
}

describe("the README's table of settings", () => {
  it('is the one the settings schema generates (else: run `npm run config:docs`)', async () => {
    const readme = readFileSync(README, 'utf8');
    const expected = await generated(readme);
    if (readme !== expected) {
      const have = readme.split('\n');
      const want = expected.split('\n');
      const line = want.findIndex((text, index) => have[index] !== text);
      throw new Error(
        `README.md's table of settings is not the one the schema generates: run \`npm run config:docs\`\n` +
          `line ${line + 1}:\n  README:    ${have[line]}\n  generated: ${want[line]}`,
      );
    }
  });

  it('names every setting once, with the default of config/gateway.json', () => {
    const tables = settingsTables(defaults);
    for (const setting of SETTINGS) {
      expect(tables.split(`| \`${setting.variable}\` |`).length).toBe(2);
    }
    expect(tables).toContain('| `GATEWAY_HTTP_PORT` | port | `4100` (`http.port`) |');
    expect(settingsTables({ ...defaults, http: { port: 8443 } })).toContain(
      '| `GATEWAY_HTTP_PORT` | port | `8443` (`http.port`) |',
    );
  });

  it('is replaced between its markers only, and refused without them', () => {
    const readme = `# Title\n\nbefore\n\n${CONFIG_DOCS_BEGIN}\nold table\n${CONFIG_DOCS_END}\n\nafter\n`;
    const next = withSettingsTables(readme, 'NEW');
    expect(next).toBe(
      `# Title\n\nbefore\n\n${CONFIG_DOCS_BEGIN}\n\nNEW\n\n${CONFIG_DOCS_END}\n\nafter\n`,
    );
    expect(() => withSettingsTables('# no markers\n', 'NEW')).toThrow(/config:begin/);
  });
});
