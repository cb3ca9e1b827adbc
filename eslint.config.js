// Lint rules for the whole repository: typescript-eslint's recommended set, React hooks rules for the console.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'data/', '.artifacts/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-undef': 'off',
    },
  },
  {
    // These patterns exist to find control characters in input and refuse them: the characters are the point.
    files: [
      'src/api/plugins/hardening.ts',
      'src/api/routes/privacy-staff.ts',
      'src/api/routes/provisioning.ts',
      'src/api/schemas.ts',
      'src/core/privacy/analytics.rules.ts',
    ],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
