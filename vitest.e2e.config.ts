import { defineConfig } from 'vitest/config';

// Browser journeys: headless Chromium against the app served in-process; kept out of `npm test`
// because they need /usr/bin/chromium. One file at a time keeps two cores from being oversubscribed.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
