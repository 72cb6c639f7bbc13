import { fileURLToPath } from 'node:url';
import type { Transport } from '@cccd/emrtd';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { type ApduServer, startApduServer } from './apdu-server.js';
import { bundleForBrowser, SOURCE_ALIASES } from './bundle.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './chromium.js';
import type { BrowserReadApi, BrowserReadOutcome, BrowserReadRequest } from './page-entry.js';

const STEP_MS = 20_000;
const ENTRY = fileURLToPath(new URL('./page-entry.ts', import.meta.url));

export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Replaces every occurrence of a secret (CAN, ID number, name, …) with ‹redacted›; secrets of < 3 characters are not masked. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length)
    .reduce((out, s) => out.split(s).join('‹redacted›'), text);
}

/** Renderer main-thread time from CDP Performance.getMetrics (threadTicks: CPU time of that thread), in ms. */
export interface RendererTime {
  /** TaskDuration: every task of the main thread, the promise continuations where the SDK works included. */
  taskMs: number;
}

export interface BrowserHarness {
  read(request: Omit<BrowserReadRequest, 'apduUrl'>): Promise<BrowserReadOutcome>;
  rendererTime(): Promise<RendererTime>;
  /** Console errors and warnings, uncaught exceptions, failed requests: personal values masked. */
  readonly problems: string[];
  /** Bytes of the page script (the SDK and the test transport, not minified). */
  readonly scriptBytes: number;
  /** The browser's version string, e.g. 156.0.8078.129. */
  readonly version: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** A fresh link to the card per page connection. */
  transportFor: () => Transport;
  /** Values never to be printed (masked in `problems`). */
  secrets: readonly string[];
  /** Print each problem to stderr as it happens (default true). */
  echo?: boolean;
}

async function bundlePage(): Promise<string> {
  const b = await bundleForBrowser(ENTRY, { format: 'iife', minify: false, alias: SOURCE_ALIASES });
  if (b.nodeImports.length || b.nodeGlobals.length)
    throw new Error(`the page script needs Node: ${[...b.nodeImports, ...b.nodeGlobals].join(', ')}`);
  return b.code;
}

async function openPage(browser: Browser, server: ApduServer, note: (line: string) => void): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') note(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`uncaught in the page: ${e.name}: ${e.message}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  await page.goto(server.url);
  await page.waitForFunction(() => typeof (globalThis as { cccdBrowser?: unknown }).cccdBrowser === 'object');
  return page;
}

async function rendererTime(cdp: CDPSession): Promise<RendererTime> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const task = metrics.find((m) => m.name === 'TaskDuration');
  if (!task) throw new Error('CDP Performance.getMetrics has no TaskDuration');
  return { taskMs: task.value * 1000 };
}

export async function startBrowserHarness(options: HarnessOptions): Promise<BrowserHarness> {
  requireChromium();
  const problems: string[] = [];
  const note = (line: string) => {
    const safe = redact(line, options.secrets);
    problems.push(safe);
    if (options.echo !== false) console.error(`[browser] ${safe}`);
  };
  const script = await bundlePage();
  const server = await startApduServer({ script, transportFor: options.transportFor });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: STEP_MS,
      args: CHROMIUM_ARGS,
    });
    const page = await openPage(browser, server, note);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const opened = browser;
    return {
      problems,
      scriptBytes: Buffer.byteLength(script),
      version: browser.version(),
      read: (request) =>
        bounded(
          page.evaluate((r) => (globalThis as unknown as { cccdBrowser: BrowserReadApi }).cccdBrowser.read(r), {
            ...request,
            apduUrl: server.apduUrl,
          }),
          STEP_MS,
          'the read in the page',
        ),
      rendererTime: () => rendererTime(cdp),
      close: async () => {
        await opened.close().catch(() => undefined);
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.close();
    throw e;
  }
}
