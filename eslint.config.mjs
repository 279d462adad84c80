import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer table of docs/architecture.md, as code: for each source folder, the project folders its
 * files may import (besides their own), from layers.json. Every other project folder is a lint error that names the
 * rule. test/layers.test.ts plants a violation in a copy of the tree and checks lint fails on it.
 */
const table = JSON.parse(readFileSync(`${import.meta.dirname}/layers.json`, 'utf8'));
/** folder → the project folders it may import. workflows/ also imports activity *types*, and
 * emulators/ api/fingerprint: see layerRule. */
export const layers = table.layers;
const PROJECT_FOLDERS = [...Object.keys(layers), ...table.tooling];

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os'];

/** A relative import that climbs out of its folder into `folder` (at any depth). */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

function layerRule(folder) {
  const allowed = new Set([folder, ...layers[folder]]);
  const forbidden = PROJECT_FOLDERS.filter((f) => !allowed.has(f));
  const patterns = [];
  if (folder === 'workflows') {
    patterns.push({
      regex: into(['activities']),
      message: 'layers: workflows/ may import activity types only (import type).',
      allowTypeImports: true,
    });
  }
  if (folder === 'emulators') {
    // An emulator behaves like a provider; of the engine it uses only the token fingerprint, for logs.
    patterns.push({
      regex: '^(\\.\\./)+api(/(?!fingerprint$).*)?$',
      message: 'layers: emulators/ may import api/fingerprint only, of the engine.',
    });
  }
  const rest = forbidden.filter(
    (f) => !(folder === 'workflows' && f === 'activities') && !(folder === 'emulators' && f === 'api'),
  );
  patterns.push({
    regex: into(rest),
    message: `layers: ${folder}/ may import ${[...layers[folder]].map((f) => `${f}/`).join(', ') || 'nothing of the project'} (docs/architecture.md).`,
  });
  return patterns;
}

const pureGroups = [
  { group: NODE_BUILTINS, message: 'No Node built-ins in workflow code or the contract.' },
  {
    group: [
      'undici',
      '@yandex-cloud/*',
      '@grpc/*',
      '@temporalio/activity',
      '@temporalio/worker',
      '@temporalio/client',
    ],
    message: 'Workflow code and the contract do no I/O.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...Object.keys(layers).map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...layerRule(folder),
            ...(folder === 'workflows' || folder === 'api' ? pureGroups : []),
            // Internal paths of other packages (`@temporalio/client/lib/…`) are not their API.
            { group: ['@temporalio/*/lib/*', '@temporalio/*/lib'], message: 'Public SDK exports only.' },
          ],
        },
      ],
    },
  })),
);
