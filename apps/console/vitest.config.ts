import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: { testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false, expect: { poll: { timeout: 30_000 } } },
});
