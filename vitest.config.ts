import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes, so that NODE_EXTRA_CA_CERTS set by the global setup is read at their start.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // Fails a test file whose output contains a credential a local stack issued.
    setupFiles: ['test/support/leak-guard-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
