// Bundles the officer console (Preact, TypeScript) with esbuild into dist/console, served by the
// gateway under /console/. Run by `npm run build`; the bundle is never committed.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(out, 'console.js'),
  legalComments: 'linked',
  logLevel: 'warning',
});
cpSync(join(here, 'public'), out, { recursive: true });
