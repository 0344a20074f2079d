import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { createCompiledCatalog, getCatalogs } from '@lingui/cli/api';
import { getConfig } from '@lingui/conf';
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
  plugins: [lingui({ macroTransform: true }), embedWords(), precompress()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});

// embed.js runs on the publisher's page and must stay tiny: instead of a
// catalogue runtime it imports `virtual:embed-words`, the compiled `embed.*`
// messages of every web catalogue (pseudo-locales and English fallbacks as
// the pages get them), a few hundred bytes.
function embedWords(): Plugin {
  const id = 'virtual:embed-words';
  return {
    name: 'rejoinder:embed-words',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    async load(resolved) {
      if (resolved !== `\0${id}`) return null;
      const config = getConfig({ configPath: resolve(root, '../../lingui.config.ts') });
      const catalogue = (await getCatalogs(config)).find((c) => c.path.includes('/locales/web/'));
      if (!catalogue) throw new Error('No web catalogue in lingui.config.ts');
      const words: Record<string, unknown> = {};
      const locales: string[] = config.locales;
      for (const locale of locales) {
        this.addWatchFile(resolve(root, `../../locales/web/${locale}.po`));
        const { messages } = await catalogue.getTranslations(locale, {
          fallbackLocales: config.fallbackLocales,
          sourceLocale: config.sourceLocale,
        });
        const own = Object.fromEntries(Object.entries(messages).filter(([key]) => key.startsWith('embed.')));
        const pseudo = config.pseudoLocale.find((item) => item.locale === locale);
        const { source } = createCompiledCatalog(locale, own, {
          namespace: 'json',
          pseudoLocale: pseudo?.locale,
          pseudoLocaleOptions: pseudo?.options,
        });
        words[locale] = (JSON.parse(source) as { messages: unknown }).messages;
      }
      return `export default ${JSON.stringify(words)};`;
    },
  };
}

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
