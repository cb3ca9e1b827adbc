import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'testkit/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'web', 'test/conformance/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globals: false,
  },
});
