import { resolve } from 'node:path';
import { lingui } from '@lingui/vite-plugin';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

// Two entries: the pages (index.html, one small app that routes by path) and
// embed.js, the loader a publisher puts on their own page. Hashed assets can
// be cached for a year; embed.js keeps a stable name so publishers can link it.
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: resolve(root, '../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { index: resolve(root, 'index.html'), embed: resolve(root, 'src/embed.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  // Lingui's macros become catalogue lookups at build time, and each
  // locales/web/<tag>.po becomes a compiled chunk loaded only when chosen.
  plugins: [lingui({ macroTransform: true })],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
