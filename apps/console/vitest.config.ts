import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: { testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false },
});
