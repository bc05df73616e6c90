import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { settingsTables, withSettingsTables } from '#libs/node-config';

/**
 * `npm run config:docs`: rewrites the README's table of settings (between its config:begin and
 * config:end markers) from the settings schema and config/gateway.json, formatted by prettier as
 * `prettier --check .` expects. libs/node-config/src/settings-docs.spec.ts fails until it is run
 * after a change to the schema or the defaults.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const readmeFile = join(root, 'README.md');
const defaults = JSON.parse(readFileSync(join(root, 'config/gateway.json'), 'utf8')) as object;
const readme = readFileSync(readmeFile, 'utf8');
const options = (await prettier.resolveConfig(readmeFile)) ?? {};
const next = await prettier.format(withSettingsTables(readme, settingsTables(defaults)), {
  ...options,
  filepath: readmeFile,
});
writeFileSync(readmeFile, next);
process.stdout.write(next === readme ? 'README.md is up to date\n' : 'README.md rewritten\n');
