import { defineConfig } from 'vitest/config';

// On MySQL/MariaDB every test file resets the same database, so files run one after another there.
const onMysql = (process.env.TEST_DATABASE_URL ?? '').startsWith('mysql://');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    pool: 'forks',
    fileParallelism: !onMysql,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
