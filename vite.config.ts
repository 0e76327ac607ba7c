// Builds the renderer (one page for every window kind, `?window=`) into dist/renderer. The headless host serves
// it over http; Electron loads the same file from disk, hence relative asset URLs (base './').
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // AG Grid Community alone is ~1.3 MB minified; it is loaded from disk or loopback, never over a real network.
    chunkSizeWarningLimit: 2500,
  },
});
