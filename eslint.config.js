// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

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
    // Production code must not depend on the emulators, and the emulators must not depend on it.
    files: ['functions/**', 'shared/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/emulators/**', '**/test/**', '**/scripts/**'] }] },
  },
  {
    files: ['emulators/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/functions/**', '**/shared/**'] }] },
  },
);
