/**
 * Test harness: an agent on port 0 with simulated readers, a temporary data folder, an ES256 ticket issuer, a raw
 * WebSocket client, and the privacy net — every log line, printed line and audit line of the file is collected
 * and checked for the test citizen's values in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PROTOCOL } from '@cccd/client';
import { loadProfile } from '@cccd/simulator';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, expect } from 'vitest';
import WebSocket from 'ws';
import type { AgentConfigInput } from '../config.js';
import { type AgentHandle, type StartAgentOptions, startAgent } from '../server.js';

export const HIS = 'https://his.example.vn';
export const BANK = 'https://bank.example.vn';
export const ISSUER = 'his-backend';

export const CITIZEN = loadProfile('cccd-2021-adult');
export const CAN = CITIZEN.idNumber.slice(6);
const [y, m, d] = CITIZEN.dateOfBirth.split('-');

/** Values that must never appear in a log, audit or printed line. */
export const SECRETS = [
  CITIZEN.idNumber,
  CITIZEN.fullName,
  CITIZEN.fullName.normalize('NFD'),
  CITIZEN.dateOfBirth,
  `${d}/${m}/${y}`,
  `${y!.slice(2)}${m}${d}`,
  CITIZEN.placeOfResidence,
  CAN,
  CITIZEN.fatherName ?? 'x-never-x',
  CITIZEN.motherName ?? 'x-never-x',
];

const lines: string[] = [];
const dataDirs: string[] = [];
const agents: AgentHandle[] = [];

export const logLines = () => lines;

const issuerKeys = generateKeyPair('ES256', { extractable: true });

export async function issuerPublicPem(): Promise<string> {
  return exportSPKI((await issuerKeys).publicKey);
}

export interface TicketClaims {
  origin?: string;
  purpose?: string;
  fields?: string[];
  nonce?: string;
  jti?: string;
  aud?: string;
  iss?: string;
  operatorId?: string;
  iat?: number;
  exp?: number;
}

export const newNonce = () => randomBytes(24).toString('base64url');

export async function mintTicket(agentId: string, claims: TicketClaims = {}, key?: CryptoKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = claims.iat ?? now;
  return new SignJWT({
    origin: claims.origin ?? HIS,
    purpose: claims.purpose ?? 'clinic-checkin',
    fields: claims.fields ?? ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'],
    nonce: claims.nonce ?? newNonce(),
    operatorId: claims.operatorId ?? 'nurse-07',
  })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? `cccd-agent:${agentId}`)
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp ?? iat + 120)
    .setJti(claims.jti ?? randomBytes(12).toString('base64url'))
    .sign(key ?? (await issuerKeys).privateKey);
}

export const CLINIC_FIELDS = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'] as const;

export async function baseConfig(): Promise<AgentConfigInput> {
  return {
    port: 0,
    simulate: true,
    pcsc: false,
    logLevel: 'debug',
    allowedOrigins: [HIS, BANK],
    issuers: [{ iss: ISSUER, publicKey: await issuerPublicPem(), origins: [HIS, BANK] }],
    policy: [
      { origin: HIS, purpose: 'clinic-checkin', fields: [...CLINIC_FIELDS, 'dateOfIssue', 'dateOfExpiry'] },
      {
        origin: BANK,
        purpose: 'bank-kyc',
        fields: ['idNumber', 'fullName', 'dateOfBirth', 'photo'],
        evidence: true,
      },
    ],
    limits: { heartbeatMs: 60_000, leaseQueueTimeoutMs: 5_000, waitCardTimeoutMs: 2_000 },
  };
}

function collector(): Writable {
  let partial = '';
  return new Writable({
    write(chunk, _enc, cb) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      cb();
    },
  });
}

/** Starts an agent with the base config deep-merged with `overrides` (limits merge key by key). */
export async function startTestAgent(
  overrides: AgentConfigInput = {},
  options: Omit<StartAgentOptions, 'config'> = {},
): Promise<AgentHandle> {
  const base = await baseConfig();
  const dataDir = mkdtempSync(join(tmpdir(), 'cccd-agent-test-'));
  dataDirs.push(dataDir);
  const agent = await startAgent({
    env: {},
    logDestination: collector(),
    print: (line) => lines.push(line),
    ...options,
    config: { ...base, dataDir, ...overrides, limits: { ...base.limits, ...overrides.limits } },
  });
  agents.push(agent);
  return agent;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every line a test file made the agents produce: logs, printed lines, audit trails and data-folder files. */
export function producedText(): string[] {
  const out = [...lines];
  for (const dir of dataDirs) for (const f of filesUnder(dir)) out.push(...readFileSync(f, 'utf8').split('\n'));
  return out;
}

export function leaks(text: string[]): string[] {
  return SECRETS.filter((s) => text.some((line) => line.includes(s)));
}

/** Registers the privacy check and cleanup for the calling test file. */
export function usePrivacyNet(): void {
  afterAll(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    const text = producedText();
    expect(text.length).toBeGreaterThan(0);
    expect(leaks(text)).toEqual([]);
    for (const d of dataDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

// ---------------------------------------------------------------- WebSocket client

/** A decoded wire message; tests check its shape with assertions (and readResultSchema where it matters). */
// biome-ignore lint/suspicious/noExplicitAny: wire messages are checked by the assertions that read them
export type Wire = any;

export interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: Wire;
  error?: {
    code: number;
    message: string;
    data?: { code: string; retriable: boolean; messageKey: string; details?: Record<string, unknown> };
  };
}

export interface Notification {
  jsonrpc: '2.0';
  method: string;
  params: Wire;
}

export class TestClient {
  readonly messages: Wire[] = [];
  readonly raw: string[] = [];
  private nextId = 1;
  private readonly waiters = new Set<{ test: (m: Wire) => boolean; resolve: (m: Wire) => void }>();
  closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      const msg = JSON.parse(text);
      this.messages.push(msg);
      for (const w of this.waiters)
        if (w.test(msg)) {
          this.waiters.delete(w);
          w.resolve(msg);
        }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  get notifications(): Notification[] {
    return this.messages.filter((m) => m.method !== undefined);
  }

  /** Resolves with the first message (already received or future) matching `test`; bounded. */
  waitFor(test: (m: Wire) => boolean, timeoutMs = 10_000): Promise<Wire> {
    const found = this.messages.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        test,
        resolve: (m: Wire) => {
          clearTimeout(t);
          resolve(m);
        },
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error('waitFor timed out'));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  request(method: string, params?: unknown, id: string | number = this.nextId++): Promise<RpcResponse> {
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    return this.waitFor((m) => m.id === id && m.method === undefined, 20_000);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

export interface ConnectOptions {
  origin?: string | null;
  host?: string;
  protocol?: string | null;
  path?: string;
}

/** Opens a socket; resolves with the client, or rejects with the HTTP status of a refused upgrade. */
export function connect(agent: AgentHandle, options: ConnectOptions = {}): Promise<TestClient> {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? HIS : options.origin;
  if (origin !== null) headers.Origin = origin;
  if (options.host) headers.Host = options.host;
  const protocols = options.protocol === null ? undefined : [options.protocol ?? PROTOCOL];
  const ws = new WebSocket(`ws://127.0.0.1:${agent.port}${options.path ?? '/v1'}`, protocols, { headers });
  const client = new TestClient(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

/** Resolves with the close codes once at least `n` of these clients were closed by the agent; bounded. */
export function closedAtLeast(clients: TestClient[], n: number, timeoutMs = 10_000): Promise<number[]> {
  const codes: number[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${codes.length} of ${n} sockets closed`)), timeoutMs);
    const check = () => {
      if (codes.length < n) return;
      clearTimeout(timer);
      resolve(codes.slice(0, n));
    };
    for (const c of clients)
      void c.closed.then(({ code }) => {
        codes.push(code);
        check();
      });
    check();
  });
}

export async function refusedStatus(agent: AgentHandle, options: ConnectOptions): Promise<number> {
  try {
    const c = await connect(agent, options);
    await c.close();
    return 101;
  } catch (e) {
    return (e as { status?: number }).status ?? -1;
  }
}

/** Connects from the HIS origin and authenticates with a fresh ticket. */
export async function authedClient(
  agent: AgentHandle,
  claims: TicketClaims = {},
  options: ConnectOptions = {},
): Promise<{ client: TestClient; nonce: string; origin: string }> {
  const origin = claims.origin ?? (options.origin as string | undefined) ?? HIS;
  const nonce = claims.nonce ?? newNonce();
  const client = await connect(agent, { origin, ...options });
  const ticket = await mintTicket(agent.agentId, { ...claims, origin, nonce });
  const r = await client.request('session.authenticate', { ticket });
  if (r.error) throw new Error(`authentication failed: ${r.error.data?.code}`);
  return { client, nonce, origin };
}

export function readParams(nonce: string, extra: Record<string, unknown> = {}) {
  return { accessKey: { can: CAN }, fields: [...CLINIC_FIELDS], purpose: 'clinic-checkin', nonce, ...extra };
}
