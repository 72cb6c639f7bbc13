/**
 * Agent configuration: a JSON file, then CCCD_AGENT_* environment variables, then command-line flags, merged in that
 * order and validated with zod. A bad value fails with ConfigError naming the key (never echoing a secret).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CCCD_FIELDS, DEFAULT_AGENT_PORT, purposeSchema } from '@cccd/client';
import { z } from 'zod';

/** The agent's default port: one constant, owned by @cccd/client so integrators' code and the agent agree. */
export const DEFAULT_PORT = DEFAULT_AGENT_PORT;

/** An exact web origin: scheme://host[:port], no path, no trailing slash (compared byte for byte). */
const origin = z
  .string()
  .regex(
    /^(https?):\/\/(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+)(:\d{1,5})?$/,
    'must be an origin like https://his.example.vn',
  )
  .refine((o) => o === o.toLowerCase(), 'origins are compared exactly: write them in lower case');

/** `native` stands for clients without an Origin header (paired desktop programs). */
const policyOrigin = z.union([origin, z.literal('native')]);

const field = z.enum(CCCD_FIELDS);

const issuer = z.strictObject({
  /** `iss` claim of the tickets this key signs. */
  iss: z.string().min(1).max(200),
  /** ES256 public key: PEM SubjectPublicKeyInfo, or a JWK object. */
  publicKey: z.union([z.string().includes('BEGIN PUBLIC KEY'), z.record(z.string(), z.unknown())]),
  /**
   * Origins this issuer may issue tickets for; required, at least one. There is no "any origin" default: one
   * backend's key must not be able to open sessions for another application's page (docs/security.md).
   */
  origins: z
    .array(origin, {
      error: (i) =>
        i.input === undefined ? 'missing: list the origins this issuer may issue tickets for' : 'must be a list',
    })
    .min(1, 'list at least one origin this issuer may issue tickets for'),
});

/** Issuers are looked up by `iss`: a second entry with the same name would silently replace the first. */
const issuers = z.array(issuer).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const [i, { iss }] of list.entries()) {
    if (seen.has(iss)) ctx.addIssue({ code: 'custom', path: [i, 'iss'], message: 'another issuer has the same iss' });
    seen.add(iss);
  }
});

const policyRule = z.strictObject({
  origin: policyOrigin,
  /** Purpose the ticket/request names (e.g. 'clinic-checkin'), or '*' for any purpose. */
  purpose: z.union([purposeSchema, z.literal('*')]),
  fields: z.array(field).min(1),
  /** Whether the evidence bundle (raw SOD and data groups) may be returned. */
  evidence: z.boolean().default(false),
  /** Sensitive fields are released only with a consentRef on the request (default true). */
  requireConsentForSensitive: z.boolean().default(true),
});

const limits = z.strictObject({
  /** Authenticated sessions in all. */
  maxSessions: z.number().int().min(1).max(10_000).default(64),
  /** Authenticated sessions: a socket counts once it has authenticated. */
  maxSessionsPerOrigin: z.number().int().min(1).max(10_000).default(16),
  /**
   * Sockets still waiting to authenticate have their own, smaller budget, so sockets that never authenticate
   * cannot keep an origin's pages out: when it is full, a new socket replaces the oldest unauthenticated one.
   */
  maxUnauthenticated: z.number().int().min(1).max(10_000).default(16),
  maxUnauthenticatedPerOrigin: z.number().int().min(1).max(1000).default(4),
  /** WebSocket upgrades accepted per client address and origin per minute. */
  upgradesPerMinute: z.number().int().min(1).max(100_000).default(120),
  /** Failed authentications per session before it is closed. */
  maxAuthFailures: z.number().int().min(1).max(100).default(5),
  heartbeatMs: z.number().int().min(50).max(600_000).default(25_000),
  /** Unauthenticated sockets are closed after this long (a page fetches its ticket first, then connects). */
  authTimeoutMs: z.number().int().min(50).max(120_000).default(10_000),
  idleSessionMs: z
    .number()
    .int()
    .min(100)
    .max(24 * 3600_000)
    .default(30 * 60_000),
  ticketMaxLifetimeSec: z.number().int().min(10).max(300).default(300),
  /** Clock skew tolerated on ticket iat/exp. */
  clockToleranceSec: z.number().int().min(0).max(120).default(30),
  waitCardTimeoutMs: z.number().int().min(100).max(120_000).default(60_000),
  readTimeoutMs: z.number().int().min(100).max(120_000).default(20_000),
  /** How long a read waits in the queue of a busy reader. */
  leaseQueueTimeoutMs: z.number().int().min(0).max(120_000).default(15_000),
  maxQueuePerReader: z.number().int().min(0).max(1000).default(8),
  /** How long a pairing request stays pending. */
  pairingTtlMs: z
    .number()
    .int()
    .min(1000)
    .max(3600_000)
    .default(5 * 60_000),
  /**
   * How long an approved pairing authenticates before the client must pair again (180 days: two re-pairings a year
   * bound the life of a key copied off a desk PC without making operators approve often). Lowering it also shortens
   * existing pairings.
   */
  pairedClientTtlDays: z.number().int().min(1).max(3650).default(180),
});

const simulation = z.strictObject({
  profile: z.string().min(1).max(500).default('cccd-2021-adult'),
  readers: z.number().int().min(1).max(16).default(1),
  /** Simulator fault injections (`cccd sim faults`), applied to every simulated card. */
  faults: z.array(z.string().max(100)).default([]),
  /**
   * Simulator chip behaviour options (`name=value`, e.g. `ca=refuse-mse:6A86`, `aa=refuse:6985`), applied to every
   * simulated card; only the run-time ones (not ca=not-advertised or aa=absent, which change the card's files).
   */
  chip: z.array(z.string().max(100)).max(16).default([]),
  seed: z.number().int().min(0).default(1),
  /** Trust the simulator's test CSCA for simulated readers (never for PC/SC readers). */
  trustTestCsca: z.boolean().default(true),
});

export const AgentConfigSchema = z.strictObject({
  /** Random identifier of this install (tickets carry aud 'cccd-agent:<agentId>'); generated when absent. */
  agentId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  /** Folder for the device key, audit key, audit trail and paired clients (nothing personal). */
  dataDir: z.string().min(1).optional(),
  allowedOrigins: z.array(origin).default([]),
  issuers: issuers.default([]),
  policy: z.array(policyRule).default([]),
  /** Token of the /admin page (pairing approval); the page is off without it. */
  adminToken: z.string().min(24).max(200).optional(),
  /** Dev only: serve the demo pages at /demo/ and let the agent's own origin read every field, with evidence. */
  demo: z.boolean().default(false),
  /**
   * Dev only: the demo backend (@cccd/server's startDemoBackend, which `npm start` runs) the demo pages get their
   * tickets from and post their results to; its ticket key must be in `issuers`.
   */
  demoBackend: z.url({ protocol: /^https?$/ }).optional(),
  /** Use simulated readers instead of PC/SC. */
  simulate: z.boolean().default(false),
  /** Fall back to simulated readers while PC/SC shows no reader (needs `demo` or `allowSimulatedReaders`). */
  simulateWhenNoReader: z.boolean().default(false),
  /**
   * Lets a production agent (demo off) fall back to simulated readers. Their results say `simulated: true` under
   * agentSig, but a kiosk that silently swaps a missing reader for an invented card must be a deliberate choice.
   */
  allowSimulatedReaders: z.boolean().default(false),
  simulation: simulation.default(simulation.parse({})),
  pcsc: z.boolean().default(true),
  qrScanner: z.boolean().default(false),
  /** CSCA certificates, master lists, LDIF files or folders for passive authentication. */
  trust: z.array(z.string().min(1)).default([]),
  /** The backend's signed fleet trust bundle (docs/trust-feed.md): CSCAs and CRLs on top of `trust`. */
  trustFeed: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      /** PEM SubjectPublicKeyInfo of the backend's P-256 bundle-signing key. */
      publicKey: z.string().min(1).max(2000),
      refreshMinutes: z.number().min(1).max(10_080).default(60),
      timeoutMs: z.int().min(500).max(120_000).default(10_000),
    })
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  audit: z.boolean().default(true),
  limits: limits.default(limits.parse({})),
});

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type PolicyRule = AgentConfig['policy'][number];
export type IssuerConfig = AgentConfig['issuers'][number];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** Dotted path of the offending key, e.g. 'limits.maxSessions'. */
    readonly key: string,
    problem: string,
  ) {
    super(`invalid agent configuration: ${key}: ${problem}`);
  }
}

/**
 * Simulated readers are on when configured outright (`simulate`: the operator asked for nothing else) or as the
 * fallback while no reader is attached, which a production agent (demo off) must opt into (docs/agent-protocol.md,
 * `read.start`, "simulated").
 */
export function simulatedReadersEnabled(c: AgentConfig): boolean {
  return c.simulate || (c.simulateWhenNoReader && (c.demo || c.allowSimulatedReaders));
}

function checkSimulation(c: AgentConfig): AgentConfig {
  if (c.simulateWhenNoReader && !simulatedReadersEnabled(c))
    throw new ConfigError(
      'simulateWhenNoReader',
      'would swap a missing reader for simulated cards on a production agent (demo off): ' +
        'set allowSimulatedReaders: true to allow that, or turn simulateWhenNoReader off',
    );
  return c;
}

export function parseConfig(input: unknown): AgentConfig {
  const r = AgentConfigSchema.safeParse(input);
  if (r.success) return checkSimulation(r.data);
  const issue = r.error.issues[0]!;
  const key = issue.path.map(String).join('.') || '(root)';
  const problem =
    issue.code === 'unrecognized_keys'
      ? `unknown key ${issue.keys.map((k) => (key === '(root)' ? k : `${key}.${k}`)).join(', ')}`
      : issue.message;
  // zod messages describe the expectation, never the received value: secrets (adminToken) are not echoed.
  const named = issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? key) : key;
  const fullKey = issue.code === 'unrecognized_keys' && key !== '(root)' ? `${key}.${named}` : named;
  throw new ConfigError(fullKey, problem);
}

/** CCCD_AGENT_* variables; values are JSON when they parse as JSON, else strings. Lists also accept a,b,c. */
const ENV_KEYS: Record<string, { key: string; kind: 'number' | 'boolean' | 'string' | 'list' }> = {
  CCCD_AGENT_PORT: { key: 'port', kind: 'number' },
  CCCD_AGENT_ID: { key: 'agentId', kind: 'string' },
  CCCD_AGENT_DATA_DIR: { key: 'dataDir', kind: 'string' },
  CCCD_AGENT_ALLOWED_ORIGINS: { key: 'allowedOrigins', kind: 'list' },
  CCCD_AGENT_ADMIN_TOKEN: { key: 'adminToken', kind: 'string' },
  CCCD_AGENT_DEMO: { key: 'demo', kind: 'boolean' },
  CCCD_AGENT_SIMULATE: { key: 'simulate', kind: 'boolean' },
  CCCD_AGENT_SIMULATE_WHEN_NO_READER: { key: 'simulateWhenNoReader', kind: 'boolean' },
  CCCD_AGENT_ALLOW_SIMULATED_READERS: { key: 'allowSimulatedReaders', kind: 'boolean' },
  CCCD_AGENT_PCSC: { key: 'pcsc', kind: 'boolean' },
  CCCD_AGENT_QR_SCANNER: { key: 'qrScanner', kind: 'boolean' },
  CCCD_AGENT_TRUST: { key: 'trust', kind: 'list' },
  CCCD_AGENT_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  CCCD_AGENT_AUDIT: { key: 'audit', kind: 'boolean' },
};

function envValue(name: string, raw: string, kind: 'number' | 'boolean' | 'string' | 'list'): unknown {
  switch (kind) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(name, 'must be a number');
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(name, 'must be true or false');
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CCCD_AGENT_') || raw === undefined || name === 'CCCD_AGENT_CONFIG') continue;
    const spec = ENV_KEYS[name];
    if (!spec) throw new ConfigError(name, 'unknown environment variable');
    out[spec.key] = envValue(name, raw, spec.kind);
  }
  return out;
}

export interface LoadConfigOptions {
  /** JSON config file (also CCCD_AGENT_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence: command-line flags and programmatic overrides. */
  overrides?: AgentConfigInput;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('file', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('file', `${file} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('(root)', `${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key (e.g. limits); arrays and scalars are replaced. */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

export function loadConfig(options: LoadConfigOptions = {}): AgentConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.CCCD_AGENT_CONFIG;
  let merged: Record<string, unknown> = file ? readConfigFile(file) : {};
  merged = merge(merged, configFromEnv(env));
  merged = merge(merged, (options.overrides ?? {}) as Record<string, unknown>);
  return parseConfig(merged);
}

/** Default data folder: $XDG_STATE_HOME/cccd-agent, ~/.local/state/cccd-agent, or %ProgramData%\cccd-agent. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.ProgramData) return join(env.ProgramData, 'cccd-agent');
  if (env.STATE_DIRECTORY) return resolve(env.STATE_DIRECTORY);
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'cccd-agent');
}
