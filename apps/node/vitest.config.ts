import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file starts real nodes on loopback; two cores do not gain from more parallel files.
    maxWorkers: 2,
  },
});
