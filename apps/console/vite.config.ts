import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the console talks to a running node through this proxy (FIRSTLIGHT_NODE_URL);
// in production the node serves the built console itself, same origin.
const target = process.env.FIRSTLIGHT_NODE_URL ?? 'http://127.0.0.1:7700';

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/trpc': target, '/bureau': target } },
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 900 },
});
