// ESLint flat config. The layer rule mirrors ../shared/DESIGN.md (VS Code's environment folders): a lower layer
// may not import a higher one, and only main/electron and preload may import electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (target, from, message) => ({ target, from, message });

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'tests/e2e/artifacts/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            layer('./shared', './main', 'shared/ is pure TypeScript: it may not import main/.'),
            layer('./shared', './renderer', 'shared/ may not import renderer/.'),
            layer('./shared', './preload', 'shared/ may not import preload/.'),
            layer('./main', './renderer', 'main/ may not import renderer/ (talk through the API).'),
            layer('./main', './preload', 'main/ may not import preload/.'),
            layer('./renderer', './main', 'renderer/ talks to the core only through window.floorwatch.'),
            layer('./renderer', './preload', 'renderer/ may not import preload/.'),
            layer('./preload', './main', 'preload/ only exposes the typed API.'),
            layer('./preload', './renderer', 'preload/ may not import renderer/.'),
          ],
        },
      ],
    },
  },
  {
    // Only the Electron glue may import electron; raw webContents.send is banned in favour of the typed bridge.
    files: ['shared/**', 'renderer/**', 'main/**', 'tests/unit/**', 'tests/integration/**', 'bench/**'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only main/electron/ and preload/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'ws', 'better-sqlite3'].map((name) => ({
            name,
            message: 'shared/ is pure TypeScript: no Node, DOM or framework imports.',
          })),
          patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'worker_threads'], message: 'shared/ may not use Node.' }],
        },
      ],
    },
  },
  {
    files: ['main/electron/**', 'preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='send'][callee.object.property.name='webContents']",
          message: 'Use the typed API bridge, not raw webContents.send.',
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'ws', 'better-sqlite3'].map((name) => ({
            name,
            message: 'renderer/ uses only window.floorwatch.',
          })),
          patterns: [{ group: ['node:*'], message: 'renderer/ runs in the browser.' }],
        },
      ],
    },
  },
);
