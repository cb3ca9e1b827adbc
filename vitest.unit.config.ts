import { defineConfig } from 'vitest/config';

/**
 * The fast inner loop (`npm run test:unit`): the unit tests beside the code, without the ones that need a
 * database, real hosts or a browser. `npm test` runs these too, with everything else.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'testkit/**/*.test.ts'],
    exclude: [
      'node_modules',
      'dist',
      // PostgreSQL and SQLite through testkit/db.ts
      'src/core/jobs/pgboss.test.ts',
      'src/core/jobs/slots.test.ts',
      'src/core/scheduling/scheduler.test.ts',
      // run the discovery script, or parts of it, under bash, dash and busybox
      'src/core/discovery/collect/script.test.ts',
      'src/core/discovery/collect/os.test.ts',
      'src/core/discovery/collect/identity.test.ts',
      'src/core/discovery/collect/prologue.test.ts',
    ],
    pool: 'threads',
    testTimeout: 20_000,
    globals: false,
  },
});
