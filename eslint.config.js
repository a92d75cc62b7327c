// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

/** Production code never depends on the emulators, the tests or the command lines. */
const OUTSIDE_THE_APP = ['**/emulators/**', '**/test/**', '**/scripts/**', '**/devhost/**', '**/bench/**'];

/**
 * The dependency direction inside the app (README, "Layout"): functions → runtime → sweep / delivery →
 * clients / http → reminders, with base (errors, logger, type guards) under everything and config
 * between reminders and the clients. Each entry lists what a folder must not import.
 */
const LAYERS = [
  {
    files: ['shared/base/**'],
    forbidden: ['../*/**', '../*.js'],
    why: 'shared/base is the bottom layer: it imports nothing else of shared/.',
  },
  {
    files: ['shared/reminders/**'],
    forbidden: ['../*/**', '../*.js', '!../base/**', 'node:*', 'node-fetch', '@azure/*'],
    why: 'shared/reminders is pure domain logic: no I/O, and nothing of shared/ but base/.',
  },
  {
    files: ['shared/config/**'],
    forbidden: ['**/http/**', '**/clients/**', '**/sweep/**', '**/delivery/**', '**/runtime.js'],
    why: 'shared/config may use reminders/ and base/ only.',
  },
  {
    files: ['shared/http/**'],
    forbidden: ['**/config/**', '**/clients/**', '**/sweep/**', '**/delivery/**', '**/runtime.js'],
    why: 'shared/http is the outbound HTTP core: it knows no client, pipeline or setting.',
  },
  {
    files: ['shared/clients/**'],
    forbidden: ['**/sweep/**', '**/delivery/**', '**/runtime.js'],
    why: 'shared/clients are used by the pipelines, never the other way round.',
  },
  {
    files: ['shared/telemetry/**'],
    forbidden: ['../*/**', '../*.js', '!../base/**'],
    why: 'shared/telemetry is the OpenTelemetry SDK set-up: it imports nothing of shared/ but base/.',
  },
  {
    files: ['shared/sweep/**'],
    forbidden: ['**/delivery/**', '**/runtime.js'],
    why: 'shared/sweep and shared/delivery are independent pipelines; the runtime wires them.',
  },
  {
    files: ['shared/delivery/**'],
    forbidden: ['**/sweep/**', '**/runtime.js'],
    why: 'shared/sweep and shared/delivery are independent pipelines; the runtime wires them.',
  },
  {
    files: ['shared/history/**'],
    forbidden: ['**/sweep/**', '**/delivery/**', '**/runtime.js'],
    why: 'shared/history records what the pipelines did; the runtime wires it to them.',
  },
  {
    files: ['functions/**'],
    forbidden: ['**/shared/clients/**', '**/shared/http/**'],
    why: 'functions reach the clients through shared/runtime.ts.',
  },
];

/**
 * Names of module-level constants: UPPER_CASE for fixed values (primitives, regexes, frozen or read-only
 * data), camelCase for functions and for objects with behaviour or state (clients, caches). A primitive
 * or regex is always UPPER_CASE; for other objects the name says which of the two it is.
 */
const MODULE_CONSTANT_NAMES = [
  'error',
  { selector: 'default', format: null },
  {
    selector: 'variable',
    modifiers: ['const', 'global'],
    types: ['boolean', 'string', 'number'],
    format: ['UPPER_CASE'],
    leadingUnderscore: 'forbid',
  },
  { selector: 'variable', modifiers: ['const', 'global'], types: ['function'], format: ['camelCase'] },
  { selector: 'variable', modifiers: ['const', 'global'], format: ['UPPER_CASE', 'camelCase'] },
];

/** A regex is a fixed value, which `types` above cannot select: module-level regexes are UPPER_CASE too. */
const MODULE_REGEX_NAMES = [
  'error',
  ...['Program >', 'Program > ExportNamedDeclaration >'].map((parent) => ({
    selector: `${parent} VariableDeclaration[kind='const'] > VariableDeclarator[id.name=/[a-z]/]:matches([init.regex], [init.callee.name='RegExp'])`,
    message: 'Module-level regex constants are named in UPPER_CASE.',
  })),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'coverage/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Formatting is Prettier's (npm run format:check); no lint rule argues with it.
  prettier,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    // Typed linting: naming-convention's `types` needs the type of each constant.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/naming-convention': MODULE_CONSTANT_NAMES,
      'no-restricted-syntax': MODULE_REGEX_NAMES,
    },
  },
  {
    files: ['functions/**', 'shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: OUTSIDE_THE_APP, message: 'Production code must not depend on local tooling.' }] },
      ],
    },
  },
  // A later entry replaces the rule for its files, so each layer repeats the ban on local tooling.
  ...LAYERS.map(({ files, forbidden, why }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: OUTSIDE_THE_APP, message: 'Production code must not depend on local tooling.' },
            { group: forbidden, message: why },
          ],
        },
      ],
    },
  })),
  {
    files: ['emulators/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/functions/**', '**/shared/**'], message: 'The emulators must not depend on the app.' },
          ],
        },
      ],
    },
  },
);
