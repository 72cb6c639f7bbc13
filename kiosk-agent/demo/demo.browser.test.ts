/**
 * The front-desk pages in a real browser (Debian chromium through playwright-core) against the real agent in
 * demo + simulate mode: type the simulated card's CAN, read, check the fields and the verdict, save screenshots
 * for the docs. Every wait is bounded; a missing browser or an agent that does not start fails fast and clearly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '@cccd/simulator';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = join(ROOT, 'docs/images');
const CHROMIUM = '/usr/bin/chromium';
const STEP_MS = 15_000;
const profile = loadProfile('cccd-2021-adult');
const CAN = profile.idNumber.slice(6);
/** What the verdict line says for a simulated card: a passing verdict is never called genuine. */
const VERDICT_VI: Record<string, RegExp> = {
  authentic: /Thẻ mô phỏng — chữ ký khớp CSCA thử nghiệm/,
  'genuine-data': /Thẻ mô phỏng — chữ ký khớp CSCA thử nghiệm/,
  invalid: /Không hợp lệ/,
  'unknown-csca': /Chưa có chứng thư gốc CSCA/,
  'not-checked': /Chưa kiểm tra/,
};
const vnDate = (iso: string) => iso.split('-').reverse().join('/');

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The agent serves packages/client/dist at /client/: build it so the pages get the current client. */
function buildClient(): void {
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/client'], { cwd: ROOT, timeout: 60_000, stdio: 'pipe' });
}

let agent: AgentHandle | undefined;
let context: BrowserContext | undefined;
let dataDir = '';
let profileDir = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  buildClient();
  dataDir = mkdtempSync(join(tmpdir(), 'cccd-demo-agent-'));
  profileDir = mkdtempSync(join(tmpdir(), 'cccd-demo-chromium-'));
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  agent = await bounded(
    startAgent({
      config: { port: 0, simulate: true, demo: true, pcsc: false, dataDir, audit: false },
      logDestination: quiet as never,
      print: () => undefined,
    }),
    20_000,
    'startAgent',
  );
  for (const path of ['/demo/', '/client/index.js', '/vendor/zod/index.js']) {
    const res = await bounded(fetch(`${agent.url}${path}`), 5_000, `GET ${path}`);
    if (res.status !== 200) throw new Error(`the agent does not serve ${path} (HTTP ${res.status})`);
  }
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    viewport: { width: 1100, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  context.setDefaultTimeout(STEP_MS);
  mkdirSync(IMAGES, { recursive: true });
}, 90_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await agent?.close();
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function openPage(name: string, waitForAgent = true): Promise<Page> {
  const page = await context!.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${name}: ${m.text()}`);
  });
  await page.goto(`${agent!.url}/demo/${name}`);
  if (waitForAgent) await page.waitForSelector('body[data-agent="ready"]');
  return page;
}

async function readWithCan(page: Page, can = CAN): Promise<void> {
  await page.fill('#can', can);
  await page.press('#can', 'Enter');
}

/** Waits for the page to finish the read; a failed read fails the test with the message the operator saw. */
async function expectReadDone(page: Page): Promise<void> {
  await page.waitForSelector('body[data-read]');
  const outcome = await page.getAttribute('body', 'data-read');
  if (outcome !== 'done') throw new Error(`the read failed on the page: ${await page.textContent('#error')}`);
}

async function expectVerdict(page: Page): Promise<string> {
  const verdict = page.locator('#verdict');
  await verdict.waitFor({ state: 'visible' });
  const kind = (await verdict.getAttribute('data-verdict')) ?? '';
  expect(Object.keys(VERDICT_VI)).toContain(kind);
  expect(await verdict.textContent()).toMatch(VERDICT_VI[kind]!);
  expect(await verdict.textContent()).not.toMatch(/chip thật/);
  // The agent reads simulated cards here: every page must say so, above the verdict (result.simulated).
  expect(await verdict.getAttribute('data-simulated')).toBe('true');
  expect(await verdict.locator('.simulated-marker').textContent()).toMatch(/MÔ PHỎNG — thẻ mô phỏng/);
  return kind;
}

describe('front-desk demo pages', () => {
  it('index links the three desks, in Vietnamese first', async () => {
    const page = await openPage('index.html', false);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    const links = await page.locator('ul.pages a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['clinic.html', 'bank.html', 'commune.html']);
    await page.click('#lang-toggle');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.click('#lang-toggle');
    await page.close();
  });

  it('clinic: the BHXH lookup fields (12-digit ID, name with diacritics, dd/mm/yyyy), sex, address', async () => {
    const page = await openPage('clinic.html');
    await readWithCan(page);
    await expectReadDone(page);
    await page.locator('#result').waitFor({ state: 'visible' });
    expect(await page.textContent('#f-idNumber')).toBe(profile.idNumber);
    expect(await page.textContent('#f-fullName')).toBe(profile.fullName);
    expect(await page.textContent('#f-dateOfBirth')).toBe(vnDate(profile.dateOfBirth));
    expect(await page.textContent('#f-sex')).toBe(profile.sex === 'M' ? 'Nam' : 'Nữ');
    expect(await page.textContent('#f-placeOfResidence')).toBe(profile.placeOfResidence);
    expect(JSON.parse((await page.textContent('#bhxh')) ?? '')).toEqual({
      maThe: profile.idNumber,
      hoTen: profile.fullName,
      ngaySinh: vnDate(profile.dateOfBirth),
    });
    await expectVerdict(page);
    expect(await page.textContent('#status')).toBe('Đã đọc xong thẻ.');
    await page.screenshot({ path: join(IMAGES, 'demo-clinic.png'), fullPage: true });
    await page.click('#lang-toggle');
    expect(await page.textContent('#f-sex')).toBe(profile.sex === 'M' ? 'Male' : 'Female');
    expect(await page.textContent('#status')).toBe('The card was read.');
    await page.click('#lang-toggle');
    await page.close();
  });

  it('clinic: a wrong CAN shows the access-denied message, a malformed one never reaches the agent', async () => {
    const page = await openPage('clinic.html');
    await readWithCan(page, '12ab');
    expect(await page.textContent('#error')).toBe('Mã CAN gồm đúng 6 chữ số.');
    expect(await page.getAttribute('#can', 'aria-invalid')).toBe('true');
    await readWithCan(page, CAN === '000000' ? '111111' : '000000');
    await page.waitForSelector('body[data-read="error"]');
    expect(await page.textContent('#error')).toBe(
      'Chip từ chối mã truy cập. Hãy kiểm tra lại mã CAN hoặc thông tin MRZ.',
    );
    expect(await page.isHidden('#result')).toBe(true);
    await page.close();
  });

  it('bank: portrait and the authenticity verdict in plain words, with the per-check detail', async () => {
    const page = await openPage('bank.html');
    await readWithCan(page);
    await expectReadDone(page);
    await page.locator('#result').waitFor({ state: 'visible' });
    const kind = await expectVerdict(page);
    const photo = page.locator('#photo');
    await photo.waitFor({ state: 'visible' });
    expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await photo.getAttribute('alt')).toBe('Ảnh chân dung đọc từ chip');
    expect(await page.textContent('#f-fullName')).toBe(profile.fullName);
    expect(await page.textContent('#f-dateOfExpiry')).toBe(vnDate(profile.dateOfExpiry ?? ''));
    expect(await page.textContent('#f-checks')).toMatch(/Chữ ký số \(PA\): /);
    expect(['authentic', 'genuine-data']).toContain(kind);
    // Whatever its verdict, a simulated card is never offered for the face match.
    expect(await page.textContent('#face-hint')).toMatch(/KHÔNG dùng ảnh này .*thẻ mô phỏng/);
    await page.screenshot({ path: join(IMAGES, 'demo-bank.png'), fullPage: true });
    await page.close();
  });

  it('commune: the form is filled from the chip, fields editable and labelled', async () => {
    const page = await openPage('commune.html');
    await readWithCan(page);
    await expectReadDone(page);
    await page.locator('#filled-note').filter({ hasText: 'Đã điền' }).waitFor();
    const value = (id: string) => page.inputValue(`#c-${id}`);
    expect(await value('fullName')).toBe(profile.fullName);
    expect(await value('dateOfBirth')).toBe(vnDate(profile.dateOfBirth));
    expect(await value('sex')).toBe(profile.sex);
    expect(await value('idNumber')).toBe(profile.idNumber);
    expect(await value('placeOfOrigin')).toBe(profile.placeOfOrigin);
    expect(await value('placeOfResidence')).toBe(profile.placeOfResidence);
    expect(await value('dateOfIssue')).toBe(vnDate(profile.dateOfIssue));
    await expectVerdict(page);
    const unlabelled = await page
      .locator('input, select')
      .evaluateAll((els) => els.filter((el) => !(el as HTMLInputElement).labels?.length).map((el) => el.id));
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: join(IMAGES, 'demo-commune.png'), fullPage: true });
    await page.close();
  });

  it('no page logged an error', () => {
    expect(pageErrors).toEqual([]);
  });
});
