import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { lingui } from '@lingui/vite-plugin';
import { defineConfig, type Plugin } from 'vite';

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
  plugins: [lingui({ macroTransform: true }), precompress()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});

// Writes a Brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside
// every script, stylesheet and SVG the build emits, once: the server sends
// them as they are to browsers that accept them, compressing nothing per
// request. Files under 1 KB gain too little to be worth a second copy.
function precompress(): Plugin {
  const br = promisify(brotliCompress);
  const gz = promisify(gzip);
  return {
    name: 'rejoinder:precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const files = Object.keys(bundle).filter((name) => /\.(?:js|css|svg)$/.test(name));
      await Promise.all(
        files.map(async (name) => {
          const bytes = await readFile(join(dir, name));
          if (bytes.length < 1024) return;
          await Promise.all([
            br(bytes, {
              params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
            }).then((out) => writeFile(join(dir, `${name}.br`), out)),
            gz(bytes, { level: 9 }).then((out) => writeFile(join(dir, `${name}.gz`), out)),
          ]);
        }),
      );
    },
  };
}
