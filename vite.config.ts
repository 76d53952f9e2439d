import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// base './': the build works from any folder or sub-path (a school server, a USB stick).
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  // tfjs in the worker and vega (under tfjs-vis) on the page are large by nature (about 1.9 and
  // 1.4 MB minified); the default 500 kB warning would fire on every build.
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2500 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
