/** Jest runs the TypeScript sources as native ES modules (the local stack's fauxqs is ESM-only). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  setupFiles: ['<rootDir>/tests/setup-env.ts'],
  testTimeout: 30000,
};
