import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails a file that leaves a consumer, monitor, server or background loop running.
    setupFiles: ['test/setup/leak-check.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests share one PostgreSQL server; each file works in its own schema.
    fileParallelism: true,
  },
});
