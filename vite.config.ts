import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// base './': the build works from any folder or sub-path (a school server, a USB stick).
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
