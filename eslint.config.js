import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', 'coverage/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The web pages' scripts run in the browser (functions/webPages/pages/, served as they are).
    files: ['functions/webPages/pages/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'URL', 'URLSearchParams', 'Intl', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  {
    // The local stack runs the handlers only through the entry points serverless.yml names, so that no stand-in
    // agrees with a handler by sharing its code. Its harnesses drive the product as its clients do, and import
    // only the pipelines' data contracts (the feedback and its queue body; the document workflow's contract) and
    // the plain concurrency helper.
    files: ['local/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+functions/(?!(shared/(feedback|concurrency)|document-moderation/shared/contract)\\.js$)',
              message:
                'local/ reaches the handlers through serverless.yml; of functions/ it may import only the contracts ' +
                '(shared/feedback.js, document-moderation/shared/contract.js) and shared/concurrency.js.',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
