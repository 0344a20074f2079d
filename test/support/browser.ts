/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Debian's Chromium, headless; no downloads, no background traffic.
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

// A person in their own browser profile: their own storage, session and socket.
export async function openPerson(
  browser: Browser,
  url: string,
  options: { width?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; live: LiveLink; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const live = await routeLive(page);
  return { context, page, live, errors };
}

export interface LiveLink {
  // Closes the page's live connection and refuses new ones: the network is gone.
  drop(): Promise<void>;
  // Lets the page connect again.
  restore(): void;
  // Keeps the connection up but holds back what the server sends: a lagging link.
  stall(): void;
}

// Stands between the page and the server's socket, so a test can cut or stall
// the live connection the way a train tunnel would.
async function routeLive(page: Page): Promise<LiveLink> {
  let blocked = false;
  let stalled = false;
  const open = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (blocked) {
      void ws.close({ code: 4000, reason: 'offline' });
      return;
    }
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (!stalled) ws.send(message);
    });
    ws.onClose(() => open.delete(ws));
  });
  return {
    async drop() {
      blocked = true;
      for (const ws of open) await ws.close({ code: 4000, reason: 'offline' });
      open.clear();
    },
    restore() {
      blocked = false;
      stalled = false;
    },
    stall() {
      stalled = true;
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe-core in the page (evaluated, so the page's script policy does not apply);
// returns the violations rated serious or critical.
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
