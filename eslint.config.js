import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Type-aware rules read the TypeScript program (tsconfig.json covers src/, test/, bench/ and
// vitest.config.ts); plain .js/.mjs files have no types, so they keep the syntax-only rules.
const typed = ['**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ballast/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: typed,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection: await it, or `void` it with a reason.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a sync one is expected (event listeners, forEach) drops errors.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
);
