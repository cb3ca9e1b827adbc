import { defineConfig } from 'vitest/config';

// Fixture conformance: recorded provider answers (outside the repository, folder in STEWARD_PROVIDER_FIXTURES)
// through the drivers' real parsing paths. Run with `npm run test:conformance`.
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    globals: false,
  },
});
