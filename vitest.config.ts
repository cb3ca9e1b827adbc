import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'testkit/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'web', 'test/conformance/**'],
    pool: 'forks',
    // Suites mostly wait on hosts, browsers and timers, so two run at once on the two cores CI has (vitest's
    // default there is one). Three made real-host suites time out under load; see docs/testing.md.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globals: false,
  },
});
