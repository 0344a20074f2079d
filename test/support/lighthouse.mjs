// node test/support/lighthouse.mjs <url>
// Lighthouse (its default configuration: a phone, simulated slow 4G and a
// 4x slower CPU) on one page, in Debian's Chromium launched by
// chrome-launcher, headless, with the flags the browser tests use. Prints
// one JSON line: the four category scores (0-100), LCP/TBT/CLS and the
// audits that did not pass in a category below 100.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const url = process.argv[2];
if (!url) {
  console.error('usage: node test/support/lighthouse.mjs <url>');
  process.exit(64);
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
  logLevel: 'silent',
});
try {
  const result = await lighthouse(url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
  });
  const lhr = result.lhr;
  if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(
    Object.entries(lhr.categories).map(([id, category]) => [id, Math.round((category.score ?? 0) * 100)]),
  );
  const failing = Object.values(lhr.categories)
    .filter((category) => (category.score ?? 0) < 1)
    .flatMap((category) =>
      category.auditRefs
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1)
        .map((ref) => `${category.id}/${ref.id} ${lhr.audits[ref.id].score} ${lhr.audits[ref.id].displayValue ?? ''}`),
    );
  const value = (id) => lhr.audits[id].numericValue;
  console.log(
    JSON.stringify({
      url,
      lighthouse: lhr.lighthouseVersion,
      formFactor: lhr.configSettings.formFactor,
      throttling: lhr.configSettings.throttlingMethod,
      scores,
      lcpMs: Math.round(value('largest-contentful-paint')),
      tbtMs: Math.round(value('total-blocking-time')),
      cls: +value('cumulative-layout-shift').toFixed(3),
      fcpMs: Math.round(value('first-contentful-paint')),
      failing,
    }),
  );
} finally {
  await chrome.kill();
}
