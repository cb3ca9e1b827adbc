import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by Steward itself from web/dist (one port). `npm run dev:web` serves it with hot reload
// and forwards /api to a running Steward (STEWARD_URL, default the dev server on 8090).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URIs and no inline scripts, so the strict Content-Security-Policy holds without exceptions.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': process.env.STEWARD_URL ?? 'http://127.0.0.1:8090' },
  },
});
