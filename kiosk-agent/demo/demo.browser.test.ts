/**
 * The front-desk pages in a real browser (Debian chromium through playwright-core) against the real agent in
 * demo + simulate mode and its demo backend (@cccd/server, wired as `npm start` wires it): the page gets its ticket
 * from the backend, reads, posts the signed result back and shows the backend's decision. Type the simulated
 * card's CAN, read, check the fields, the verdict and the decision, save screenshots for the docs. Every page is
 * read under every verdict (one agent per simulated chip: authentic, genuine-data, refused CA, tampered DG13, unknown
 * CSCA): a card that is not valid must never fill a page silently. And the backend decides: every page is read
 * while the decision is held back (verdict "checking", no data), with the agent saying authentic but the backend
 * refusing (the agent's key revoked), and with the backend unreachable — no data until an override in both.
 * Every wait is bounded; a missing browser or an agent that does not start fails fast and clearly.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEMO_DESKS, type DemoBackend, startDemoBackend } from '@cccd/server';
import { loadProfile } from '@cccd/simulator';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../../packages/emrtd/browser/chromium.js';
import { type AgentConfigInput, type AgentHandle, startAgent } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = join(ROOT, 'docs/images');
const STEP_MS = 15_000;
const profile = loadProfile('cccd-2021-adult');
const CAN = profile.idNumber.slice(6);
/** What the verdict line says for a simulated card: a passing verdict is never called genuine. */
const VERDICT_VI: Record<string, RegExp> = {
  authentic: /Thẻ mô phỏng dùng để thử/,
  'genuine-data': /Thẻ mô phỏng dùng để thử/,
  invalid: /Không hợp lệ: dữ liệu trên thẻ đã bị sửa/,
  'unknown-csca': /Chưa xác minh được nguồn gốc thẻ/,
  'not-checked': /Chưa kiểm tra được thẻ thật hay giả/,
  refused: /Không được dùng: máy chủ đã từ chối kết quả đọc thẻ này/,
  'no-decision': /Chưa được dùng: máy chủ chưa xác nhận kết quả đọc thẻ này/,
};
const PASSING = ['authentic', 'genuine-data'];

/** The simulated chips the pages are read with, and the verdict each must give. */
const SCENARIOS = {
  authentic: { simulation: {}, verdict: 'authentic' },
  'genuine-data': { simulation: { chip: ['ca=refuse-mse:6A86', 'aa=refuse:6985'] }, verdict: 'genuine-data' },
  'refused-ca': { simulation: { chip: ['ca=refuse-mse:6A86'] }, verdict: 'authentic' },
  invalid: { simulation: { faults: ['tamper-file=DG13'] }, verdict: 'invalid' },
  'unknown-csca': { simulation: { trustTestCsca: false }, verdict: 'unknown-csca' },
} as const;
type Scenario = keyof typeof SCENARIOS;
/** Screenshots for the docs: the commune form under every verdict, the other desks valid and invalid. */
const SHOTS: Record<string, Scenario[]> = {
  'commune.html': ['authentic', 'genuine-data', 'refused-ca', 'invalid', 'unknown-csca'],
  'clinic.html': ['authentic', 'invalid'],
  'bank.html': ['authentic', 'invalid'],
};
/** The commune desk's form: every field its ticket releases (the demo backend decides them). */
const COMMUNE_FIELDS = DEMO_DESKS.commune!.fields;
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

/** A free loopback port: the agent's origin must be known to the backend before the agent starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const backends: DemoBackend[] = [];
const backendOf = new Map<AgentHandle, DemoBackend>();

/**
 * An agent in demo mode with its demo backend, wired as `cccd agent --demo-backend` does (packages/cli
 * demo-backend.ts): the backend's ticket key in `issuers` for the agent's origins, the agent's device key enrolled.
 */
async function startDemoAgent(config: AgentConfigInput, what: string): Promise<AgentHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cccd-demo-agent-'));
  dataDirs.push(dir);
  const backend = await startDemoBackend({
    dataDir: join(dir, 'demo-backend'),
    pageOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
  });
  backends.push(backend);
  const a = await bounded(
    startAgent({
      config: {
        simulate: true,
        pcsc: false,
        dataDir: dir,
        audit: false,
        ...config,
        port,
        demo: true,
        demoBackend: backend.url,
        issuers: [backend.issuer],
        trustFeed: backend.trustFeed,
      },
      logDestination: quiet as never,
      print: () => undefined,
    }),
    20_000,
    `startAgent (${what})`,
  );
  const csca = a.simulatedReaders[0]?.image.pki?.cscaCertDer;
  await backend.attachAgent({
    agentId: a.agentId,
    publicKey: a.publicKey,
    ...(csca && a.config.simulation.trustTestCsca ? { testCsca: csca } : {}),
  });
  backendOf.set(a, backend);
  return a;
}

let agent: AgentHandle | undefined;
const agents = new Map<string, AgentHandle>();
const dataDirs: string[] = [];
const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
let context: BrowserContext | undefined;
let profileDir = '';
const pageErrors: string[] = [];

beforeAll(async () => {
  requireChromium();
  buildClient();
  profileDir = mkdtempSync(join(tmpdir(), 'cccd-demo-chromium-'));
  agent = await startDemoAgent({}, 'authentic');
  agents.set('authentic', agent);
  for (const path of ['/demo/', '/demo/backend.json', '/client/index.js', '/vendor/zod/index.js']) {
    const res = await bounded(fetch(`${agent.url}${path}`), 5_000, `GET ${path}`);
    if (res.status !== 200) throw new Error(`the agent does not serve ${path} (HTTP ${res.status})`);
  }
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    viewport: { width: 1100, height: 900 },
    args: CHROMIUM_ARGS,
  });
  context.setDefaultTimeout(STEP_MS);
  mkdirSync(IMAGES, { recursive: true });
}, 90_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  for (const a of agents.values()) await a.close();
  for (const b of backends) await b.close();
  for (const dir of [profileDir, ...dataDirs]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The agent whose simulated card gives this scenario's verdict (started once). */
async function agentFor(scenario: Scenario): Promise<AgentHandle> {
  const known = agents.get(scenario);
  if (known) return known;
  const a = await startDemoAgent({ simulation: SCENARIOS[scenario].simulation } as AgentConfigInput, scenario);
  agents.set(scenario, a);
  return a;
}

async function openPage(
  name: string,
  waitForAgent = true,
  on: AgentHandle = agent!,
  before?: (page: Page) => Promise<void>,
): Promise<Page> {
  const page = await context!.newPage();
  await before?.(page);
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    // The backend answers a refused result with 422 (docs/server.md), and Chromium logs every non-2xx fetch; the
    // "backend unreachable" tests refuse the connection on purpose.
    const expected = [
      'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
      'Failed to load resource: net::ERR_CONNECTION_REFUSED',
    ].includes(m.text());
    if (m.type() === 'error' && !expected) pageErrors.push(`${name}: ${m.text()}`);
  });
  await page.goto(`${on.url}/demo/${name}`);
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

/** The verdict once the backend has decided (while it decides, the verdict is marked pending: see its own test). */
async function expectVerdict(page: Page): Promise<string> {
  await page.waitForSelector('body[data-decision]');
  const verdict = page.locator('#verdict');
  await verdict.waitFor({ state: 'visible' });
  expect(await verdict.getAttribute('data-state')).not.toBe('pending');
  expect(await verdict.locator('.verdict-pending').count()).toBe(0);
  const kind = (await verdict.getAttribute('data-verdict')) ?? '';
  expect(Object.keys(VERDICT_VI)).toContain(kind);
  // One plain sentence for the clerk; the technical reasons stay behind the closed "technical details" toggle.
  const sentence = (await verdict.locator('.verdict-text').textContent()) ?? '';
  expect(sentence).toMatch(VERDICT_VI[kind]!);
  expect(await verdict.textContent()).not.toMatch(/chip thật/);
  expect(await page.locator('body').textContent()).not.toMatch(/chip thật/);
  const details = verdict.locator('details.tech');
  if (await details.count()) {
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await details.locator('summary').textContent()).toMatch(/Chi tiết kỹ thuật/);
    expect(await details.locator('li[data-severity="info"]').count()).toBe(0);
  }
  // The agent reads simulated cards here: every page must say so, above the verdict (result.simulated).
  expect(await verdict.getAttribute('data-simulated')).toBe('true');
  expect(await verdict.locator('.simulated-marker').textContent()).toMatch(/MÔ PHỎNG — thẻ mô phỏng/);
  // The verdict comes first: visible without scrolling.
  await page.evaluate(() => window.scrollTo(0, 0));
  const bottom = await verdict
    .locator('.verdict-text')
    .evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight);
  expect(bottom, 'the verdict is visible without scrolling').toBe(true);
  return kind;
}

/**
 * The backend's decision on the signed result, shown next to the verdict: accepted — and then "simulated", never
 * genuine, since these are simulated cards — or refused with its reasons. Returns the refusal code.
 */
async function expectDecision(page: Page, accepted: boolean | 'error'): Promise<string | null> {
  await page.waitForSelector('body[data-decision]');
  const box = page.locator('#decision');
  expect(await box.getAttribute('data-decision')).toBe(
    accepted === 'error' ? 'error' : accepted ? 'accepted' : 'refused',
  );
  const text = (await box.textContent()) ?? '';
  if (accepted === 'error') {
    expect(text).toMatch(/^Máy chủ: Không nhận được quyết định của máy chủ/);
  } else if (accepted) {
    expect(await box.getAttribute('data-simulated')).toBe('true');
    expect(text).toMatch(/^Máy chủ: Đã chấp nhận để thử nghiệm: .*thẻ MÔ PHỎNG, không phải thẻ CCCD thật/);
  } else {
    expect(text).toMatch(/^Máy chủ: Từ chối kết quả đọc thẻ:/);
    expect(await box.locator('li').count()).toBeGreaterThan(0);
  }
  return box.getAttribute('data-code');
}

/** Every datum the page shows from the card: form values, field list, copy box, portrait. */
async function shownData(page: Page): Promise<{ inputs: string[]; list: string[]; copy: string; photo: boolean }> {
  return page.evaluate(() => ({
    inputs: Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#civil-form input, #civil-form select'),
    )
      .map((el) => el.value)
      .filter(Boolean),
    list: Array.from(document.querySelectorAll('dl.fields dd'))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => el.textContent ?? '')
      .filter(Boolean),
    copy: (document.querySelector('#copy-box:not([hidden]) #bhxh')?.textContent ?? '').trim(),
    photo: Boolean(document.querySelector('#photo')),
  }));
}

const NOTHING = { inputs: [], list: [], copy: '', photo: false };

/**
 * A read that is not usable (a failing verdict, a refusal, no decision): nothing from the card on the page, the
 * "not used" gate, and the data only after the clerk's typed reason, marked as not verified — never the BHXH copy
 * box or the face-match portrait.
 */
async function expectWithheldThenOverride(page: Page, desk: string, shot?: () => Promise<unknown>): Promise<void> {
  expect(await shownData(page), 'a read that is not usable filled the page').toEqual(NOTHING);
  await page.locator('#gate').waitFor({ state: 'visible' });
  if (desk === 'bank') expect(await page.textContent('#face-hint')).toMatch(/KHÔNG dùng ảnh này/);
  await shot?.();
  // The override needs a typed reason.
  await page.click('#override-btn');
  expect(await page.textContent('.gate-problem')).toMatch(/ghi rõ lý do/);
  expect((await shownData(page)).inputs).toEqual([]);
  await page.fill('#override-reason', 'Công dân xuất trình giấy tờ gốc');
  await page.click('#override-btn');
  expect(await page.textContent('#gate')).toMatch(/CHƯA được xác thực.*Công dân xuất trình giấy tờ gốc/);
  const after = await shownData(page);
  if (desk === 'commune') {
    expect(after.inputs).toHaveLength(COMMUNE_FIELDS.length);
    expect(await page.locator('#civil-form .unverified').count()).toBe(COMMUNE_FIELDS.length);
    expect(await page.locator('#civil-form .filled').count()).toBe(0);
    expect(await page.textContent('#filled-note')).toMatch(/CHƯA được xác thực/);
  } else {
    expect(after.list.length).toBeGreaterThan(3);
    expect(await page.locator('dl.fields dd.unverified').count()).toBeGreaterThan(3);
  }
  // Never offered for a read that is not usable, override or not: the BHXH copy box, the face-match portrait.
  expect(after.copy).toBe('');
  expect(after.photo).toBe(false);
  await page.click('#lang-toggle');
  expect(await page.textContent('#gate')).toMatch(/NOT verified/);
  await page.click('#lang-toggle');
}

/** An agent (authentic card) whose backend no longer has its device key: every result it signs is refused. */
let revoked: AgentHandle | undefined;
async function revokedAgent(): Promise<AgentHandle> {
  if (revoked) return revoked;
  const a = await startDemoAgent({}, 'revoked');
  agents.set('revoked', a);
  expect(await backendOf.get(a)!.server.revoke(a.agentId)).toBe(true);
  revoked = a;
  return a;
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
    await page.locator('#copy-box').waitFor({ state: 'visible' });
    expect(await page.textContent('#copy-simulated')).toMatch(/Thẻ mô phỏng/);
    // The copy box uses the page's font: monospace fonts mangle Vietnamese double diacritics ("Trâǹ").
    const fonts = await page.evaluate(() => [
      getComputedStyle(document.getElementById('bhxh')!).fontFamily,
      getComputedStyle(document.body).fontFamily,
    ]);
    expect(fonts[0]).toBe(fonts[1]);
    expect(fonts[0]).not.toMatch(/mono/i);
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
    await expectDecision(page, true);
    expect(await page.textContent('#status')).toBe('Đã đọc xong thẻ.');
    await page.screenshot({ path: join(IMAGES, 'demo-clinic.png'), fullPage: true });
    await page.click('#lang-toggle');
    expect(await page.textContent('#f-sex')).toBe(profile.sex === 'M' ? 'Male' : 'Female');
    expect(await page.textContent('#status')).toBe('The card was read.');
    expect(await page.textContent('#decision')).toMatch(/^Backend: Accepted for testing: .*SIMULATED card/);
    await page.click('#lang-toggle');
    await page.close();
  });

  it('clinic: a wrong CAN says what to do (no MRZ) and clears "ready"; a malformed one never reaches the agent', async () => {
    const page = await openPage('clinic.html');
    await readWithCan(page, '12ab');
    expect(await page.textContent('#error')).toBe('Mã CAN phải gồm đúng 6 chữ số.');
    expect(await page.getAttribute('#can', 'aria-invalid')).toBe('true');
    await readWithCan(page, CAN === '000000' ? '111111' : '000000');
    await page.waitForSelector('body[data-read="error"]');
    const error = (await page.textContent('#error')) ?? '';
    expect(error).toBe('Chip không chấp nhận mã CAN. Hãy kiểm tra 6 số cuối của số CCCD in trên thẻ rồi nhập lại.');
    expect(error).not.toMatch(/MRZ/);
    expect(await page.textContent('#status')).not.toMatch(/Sẵn sàng/);
    expect(await page.isHidden('#result')).toBe(true);
    await page.close();
  });

  it('progress: one bar, stages a clerk understands, never going back', async () => {
    const page = await openPage('commune.html');
    expect(await page.locator('progress').count()).toBe(1);
    await page.evaluate(() => {
      const log: string[] = [];
      (window as unknown as { statusLog: string[] }).statusLog = log;
      const status = document.getElementById('status')!;
      new MutationObserver(() => log.push(status.textContent ?? '')).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await readWithCan(page);
    await expectReadDone(page);
    const seen = await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog);
    const order = [
      'Hãy đặt thẻ CCCD lên đầu đọc.',
      'Đang mở chip bằng mã CAN…',
      'Đang đọc và kiểm tra thẻ. Hãy giữ yên thẻ trên đầu đọc…',
      'Đang kiểm tra chữ ký số của cơ quan cấp thẻ…',
      'Hoàn tất.',
      'Đã đọc xong thẻ.',
    ];
    const phases = seen
      .filter((text) => text !== 'Đang kết nối với dịch vụ đọc thẻ…')
      .map((text) => order.indexOf(text));
    expect(phases, seen.join(' | ')).not.toContain(-1);
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
    expect(phases.at(-1)).toBe(order.length - 1);
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
    expect(await page.textContent('#f-checks')).toMatch(/Chữ ký số của cơ quan cấp thẻ: đạt/);
    expect(['authentic', 'genuine-data']).toContain(kind);
    // Whatever its verdict, a simulated card is never offered for the face match.
    expect(await page.textContent('#face-hint')).toMatch(/KHÔNG dùng ảnh này .*thẻ mô phỏng/);
    await expectDecision(page, true);
    await page.screenshot({ path: join(IMAGES, 'demo-bank.png'), fullPage: true });
    await page.close();
  });

  it('bank: a JPEG 2000 portrait (cccd-2021-jp2) is shown through the PNG the agent made of it', async () => {
    const card = loadProfile('cccd-2021-jp2');
    const jp2Agent = await startDemoAgent({ simulation: { profile: 'cccd-2021-jp2' } }, 'jp2');
    try {
      const page = await openPage('bank.html', true, jp2Agent);
      await readWithCan(page, card.idNumber.slice(6));
      await expectReadDone(page);
      await page.locator('#result').waitFor({ state: 'visible' });
      const photo = page.locator('#photo');
      await photo.waitFor({ state: 'visible' });
      // Decoded by the browser: a PNG of the 240×320 face, not the chip's JP2 bytes (Chromium cannot show those).
      await page.waitForFunction(() => (document.getElementById('photo') as HTMLImageElement | null)?.complete);
      const shown = await photo.evaluate((img: HTMLImageElement) => ({
        width: img.naturalWidth,
        height: img.naturalHeight,
        format: img.dataset.format,
        png: img.src.startsWith('data:image/png;base64,'),
      }));
      expect(shown).toEqual({ width: 240, height: 320, format: 'image/jp2', png: true });
      expect(await page.textContent('#f-fullName')).toBe(card.fullName);
      await expectDecision(page, true);
      await page.screenshot({ path: join(IMAGES, 'demo-bank-jp2.png'), fullPage: true });
      await page.close();
    } finally {
      await jp2Agent.close();
    }
  });

  it('commune: the form is filled from the chip, fields editable and labelled', async () => {
    const page = await openPage('commune.html');
    await readWithCan(page);
    await expectReadDone(page);
    await page.locator('#filled-note').filter({ hasText: 'Đã điền 9 ô từ thẻ mô phỏng' }).waitFor();
    const value = (id: string) => page.inputValue(`#c-${id}`);
    expect(await value('fullName')).toBe(profile.fullName);
    expect(await value('dateOfBirth')).toBe(vnDate(profile.dateOfBirth));
    expect(await value('sex')).toBe(profile.sex);
    expect(await value('idNumber')).toBe(profile.idNumber);
    expect(await value('placeOfOrigin')).toBe(profile.placeOfOrigin);
    expect(await value('placeOfResidence')).toBe(profile.placeOfResidence);
    expect(await value('dateOfIssue')).toBe(vnDate(profile.dateOfIssue));
    await expectVerdict(page);
    await expectDecision(page, true);
    const unlabelled = await page
      .locator('input, select')
      .evaluateAll((els) => els.filter((el) => !(el as HTMLInputElement).labels?.length).map((el) => el.id));
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: join(IMAGES, 'demo-commune.png'), fullPage: true });
    await page.close();
  });

  for (const [scenario, { verdict: expected }] of Object.entries(SCENARIOS) as [
    Scenario,
    (typeof SCENARIOS)[Scenario],
  ][])
    for (const name of ['commune.html', 'clinic.html', 'bank.html'])
      it(`${name} × ${scenario}: verdict ${expected} first, backend ${PASSING.includes(expected) ? 'accepts' : 'refuses'}, data ${PASSING.includes(expected) ? 'used' : 'withheld until an override'}`, async () => {
        const page = await openPage(name, true, await agentFor(scenario));
        await readWithCan(page);
        await expectReadDone(page);
        expect(await expectVerdict(page)).toBe(expected);
        // The backend re-verifies the evidence itself: what the agent did not find valid, it refuses too.
        const refusal = await expectDecision(page, PASSING.includes(expected));
        if (!PASSING.includes(expected)) expect(refusal).toBe('verdict-not-accepted');
        const desk = name.replace('.html', '');
        const shot = () =>
          page.screenshot({
            path: join(IMAGES, `demo-${desk}-${scenario}.png`),
            fullPage: true,
          });
        const data = await shownData(page);
        if (PASSING.includes(expected)) {
          expect(await page.isHidden('#gate')).toBe(true);
          if (desk === 'commune') expect(data.inputs).toHaveLength(COMMUNE_FIELDS.length);
          if (desk === 'clinic') expect(JSON.parse(data.copy).maThe).toBe(profile.idNumber);
          if (desk === 'bank') expect(data.photo).toBe(true);
          if (scenario === 'refused-ca' && desk === 'bank')
            expect(await page.textContent('#f-checks')).toMatch(/Xác thực chip \(chống sao chép\): chip không hỗ trợ/);
          if (scenario !== 'authentic' && SHOTS[name]?.includes(scenario)) await shot();
          await page.close();
          return;
        }
        await expectWithheldThenOverride(page, desk, SHOTS[name]?.includes(scenario) ? shot : undefined);
        if (desk === 'commune' && scenario === 'invalid')
          await page.screenshot({ path: join(IMAGES, 'demo-commune-override.png'), fullPage: true });
        await page.close();
      });

  /** Holds the page's POST of its result to the backend until `release()`; `refuse: true` refuses the connection. */
  async function holdResults(page: Page, on: AgentHandle, refuse = false): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(`${backendOf.get(on)!.url}/results`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      if (refuse) return route.abort('connectionrefused');
      await held;
      // The page may have given up on it meanwhile (its own timeout): nothing left to continue then.
      return route.continue().catch(() => undefined);
    });
    return release;
  }

  for (const name of ['commune.html', 'clinic.html', 'bank.html']) {
    const desk = name.replace('.html', '');

    it(`${name}: while the backend decides, the verdict says "checking" and nothing from the card shows`, async () => {
      const page = await openPage(name);
      const release = await holdResults(page, agent!);
      try {
        await readWithCan(page);
        await expectReadDone(page);
        await page.locator('#decision[data-decision="pending"]').waitFor();
        const verdict = page.locator('#verdict');
        await verdict.waitFor({ state: 'visible' });
        expect(await verdict.getAttribute('data-state')).toBe('pending');
        const sentence = (await verdict.locator('.verdict-text').textContent()) ?? '';
        expect(sentence).toMatch(/^… Kết quả của máy đọc thẻ: Thẻ mô phỏng dùng để thử/);
        expect(sentence).not.toMatch(/✔|Hợp lệ/);
        expect(await verdict.locator('.verdict-pending').textContent()).toMatch(/^Đang kiểm tra với máy chủ…/);
        expect(await page.textContent('#decision')).toBe('Máy chủ: Đang kiểm tra kết quả đọc thẻ…');
        expect(await page.getAttribute('body', 'data-decision')).toBeNull();
        expect(await shownData(page), 'data shown before the backend decided').toEqual(NOTHING);
        expect(await page.isHidden('#gate')).toBe(true);
        if (desk === 'bank') expect(await page.textContent('#face-hint')).toBe('');
        if (desk === 'commune') {
          expect(await page.textContent('#filled-note')).toBe('');
          await page.screenshot({ path: join(IMAGES, 'demo-commune-pending.png'), fullPage: true });
        }
        await page.click('#lang-toggle');
        expect(await verdict.locator('.verdict-pending').textContent()).toMatch(/^Checking with the backend…/);
        expect(await shownData(page)).toEqual(NOTHING);
        await page.click('#lang-toggle');
      } finally {
        release();
      }
      // Accepted: the backend's own verdict, and only now the data.
      await expectDecision(page, true);
      expect(await expectVerdict(page)).toBe('authentic');
      const data = await shownData(page);
      if (desk === 'commune') expect(data.inputs).toHaveLength(COMMUNE_FIELDS.length);
      if (desk === 'clinic') expect(JSON.parse(data.copy).maThe).toBe(profile.idNumber);
      if (desk === 'bank') expect(data.photo).toBe(true);
      await page.close();
    });

    it(`${name}: the agent says authentic but the backend refuses (agent's key revoked): refused first, no data until an override`, async () => {
      const on = await revokedAgent();
      const page = await openPage(name, true, on);
      await readWithCan(page);
      await expectReadDone(page);
      expect(await expectVerdict(page)).toBe('refused');
      expect(await expectDecision(page, false)).toBe('agent-not-enrolled');
      expect(await page.textContent('#verdict')).not.toMatch(/✔|Hợp lệ|Thẻ mô phỏng dùng để thử/);
      expect(await page.textContent('#decision')).toMatch(/Khóa thiết bị ký kết quả chưa được đăng ký/);
      const shot = () => page.screenshot({ path: join(IMAGES, 'demo-commune-backend-refused.png'), fullPage: true });
      await expectWithheldThenOverride(page, desk, desk === 'commune' ? shot : undefined);
      await page.click('#lang-toggle');
      expect(await page.textContent('#verdict')).toMatch(/Not to be used: the backend refused this read/);
      expect(await page.textContent('#decision')).toMatch(/^Backend: The read result was refused:/);
      await page.click('#lang-toggle');
      await page.close();
    });

    if (desk === 'commune')
      it(`${name}: the backend does not answer within 15 s: no decision, no data until an override`, async () => {
        // The page's clock, not a real 15 s wait: the held POST is cut off by the page's own timeout.
        const page = await openPage(name, true, agent!, (p) => p.clock.install());
        const release = await holdResults(page, agent!);
        try {
          await readWithCan(page);
          await expectReadDone(page);
          await page.locator('#decision[data-decision="pending"]').waitFor();
          await page.clock.fastForward(14_000);
          expect(await page.getAttribute('#decision', 'data-decision')).toBe('pending');
          expect(await shownData(page)).toEqual(NOTHING);
          await page.clock.fastForward(1_500);
          expect(await expectVerdict(page)).toBe('no-decision');
          await expectDecision(page, 'error');
          await expectWithheldThenOverride(page, desk);
        } finally {
          release();
        }
        await page.close();
      });

    it(`${name}: the backend cannot be reached: no decision, no data until an override`, async () => {
      const page = await openPage(name);
      await holdResults(page, agent!, true);
      await readWithCan(page);
      await expectReadDone(page);
      expect(await expectVerdict(page)).toBe('no-decision');
      await expectDecision(page, 'error');
      expect(await page.textContent('#verdict')).not.toMatch(/✔|Hợp lệ|Thẻ mô phỏng dùng để thử/);
      await expectWithheldThenOverride(page, desk);
      await page.close();
    });
  }

  it('no page logged an error', () => {
    expect(pageErrors).toEqual([]);
  });
});
