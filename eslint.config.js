import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Plain TypeScript: the rules of the domain (policy, procedures, deadlines, envelope format...). */
const DOMAIN_LIBS = [
  'kernel',
  'errors',
  'policy',
  'procedures',
  'deadlines',
  'protection-register',
  'envelope',
  'retention',
];
/** Nest modules, repositories, queues, HTTP clients. */
const ADAPTER_LIBS = [
  'access',
  'audit',
  'backup',
  'bus',
  'cases',
  'delivery',
  'directory',
  'erasure',
  'evidence',
  'files',
  'keys',
  'messaging',
  'node-config',
  'notifications',
  'observability',
  'persistence',
  'safeguards',
  'scheduling',
];
const APPS = ['gateway', 'worker', 'cli', 'console'];
/** Test and demo scaffolding (tools/): never part of the product. */
const TOOLS_IMPORT = {
  regex: '^#tools/',
  message: 'tools/ is test and demo scaffolding: product code never imports it',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Layering (README, "Architecture"): the domain libs are plain TypeScript, testable in
  // milliseconds: no Nest, no database, no queue, no adapter lib; apps never import each other.
  {
    files: DOMAIN_LIBS.map((lib) => `libs/${lib}/src/**/*.ts`),
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'kysely', 'bullmq', 'ioredis', 'pg', 'express'],
              message: 'domain libs stay plain TypeScript: adapters belong in the adapter libs',
            },
            {
              regex: `^#libs/(${ADAPTER_LIBS.join('|')})$`,
              message: 'domain libs never import adapter libs: imports point down',
            },
            TOOLS_IMPORT,
          ],
        },
      ],
    },
  },
  // Adapter libs: no test scaffolding either.
  {
    files: ADAPTER_LIBS.map((lib) => `libs/${lib}/src/**/*.ts`),
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [TOOLS_IMPORT] }] },
  },
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(apps/)?(${APPS.filter((other) => other !== app).join('|')})/`,
              message: 'apps are wiring only and never import each other',
            },
            TOOLS_IMPORT,
          ],
        },
      ],
    },
  })),
  // The CLI's demo command is the one product entry point that starts a local network.
  {
    files: ['apps/cli/src/demo.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(apps/)?(${APPS.filter((other) => other !== 'cli').join('|')})/`,
              message: 'apps are wiring only and never import each other',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
