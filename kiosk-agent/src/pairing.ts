/**
 * Pairing for desktop and LAN clients that cannot get a backend ticket (Fortify's model, without the window):
 * pair.begin registers the client's ES256 public key and yields a 6-digit code; the operator compares the code the
 * client shows with the one on the agent's console and /admin page, and approves. Later sessions prove possession
 * of the key by signing the per-connection challenge of agent.hello (pairAuthMessage). Approved keys are stored in
 * the data folder (public keys and labels only), expire after limits.pairedClientTtlDays and can be revoked.
 *
 * A pending request belongs to the connection that made it and is withdrawn when that connection closes, so one
 * client cannot fill the pending list with requests nobody waits for (docs/agent-protocol.md §4.2).
 */
import { createHash, createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairAuthMessage } from '@cccd/client';
import { z } from 'zod';
import { ConfigError } from './config.js';
import { AgentError } from './errors.js';

export type PairingStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface PairingRequest {
  clientId: string;
  clientName: string;
  /** SPKI DER, base64. */
  publicKey: string;
  /** Origin header of the requesting connection, or 'native' when it had none. */
  origin: string;
  /** The connection (session id) that asked: the request lives only as long as it stays open. */
  owner: string;
  code: string;
  createdAt: number;
  expiresAt: number;
  status: PairingStatus;
}

export interface PairedClient {
  clientId: string;
  clientName: string;
  publicKey: string;
  origin: string;
  approvedAt: string;
  /** The credential stops authenticating at this time (ISO); pair again after it. */
  expiresAt: string;
  /** Last successful authentication, to the hour (absent: never used). */
  lastUsedAt?: string;
}

export interface PairingLimits {
  /** How long a request stays pending (limits.pairingTtlMs). */
  pendingTtlMs: number;
  /** How long an approved pairing authenticates (limits.pairedClientTtlDays). */
  pairedTtlMs: number;
}

/**
 * Live pending requests allowed at once: one per connection, a few per origin (all desktop clients share 'native'),
 * and a global ceiling. Each request also costs an open socket, itself capped per origin by the upgrade gate.
 */
export const PENDING_CAPS = { perConnection: 1, perOrigin: 4, total: 16 } as const;
/** Approved clients kept at once: the /admin list stays reviewable and the file small. */
export const MAX_PAIRED = 500;
/** Expired pairings stay listed (and answer 'pairing-expired') this long, then they are dropped. */
const EXPIRED_KEPT_MS = 30 * 24 * 3600_000;
/** lastUsedAt is written at most this often per client (it costs a file write). */
const LAST_USED_RESOLUTION_MS = 3600_000;

export const CLIENT_NAME_MAX = 64;
/**
 * Characters a label shown to an operator must not carry: controls, format characters (bidi embeddings and
 * overrides U+202A–202E, isolates U+2066–2069, zero-width U+200B–200F, BOM U+FEFF), lone surrogates, private-use and
 * unassigned code points, and line/paragraph separators. They let a name impersonate another one on /admin.
 */
const HIDDEN = /[\p{C}\p{Zl}\p{Zp}]/u;
const HIDDEN_ALL = /[\p{C}\p{Zl}\p{Zp}]/gu;
/** More stacked combining marks than any script needs after NFC: they draw over neighbouring rows. */
const MARK_PILE = /\p{M}{4,}/u;
const MARK_PILE_ALL = /\p{M}{4,}/gu;

const invalidName = (why: string) =>
  new AgentError('ERR_INVALID_PARAMS', `clientName ${why}`, { field: 'clientName', reason: why });

/** The label as stored: NFC, trimmed, 1–64 code points, no hidden characters. Throws ERR_INVALID_PARAMS. */
export function checkClientName(raw: string): string {
  const nfc = raw.normalize('NFC');
  // Before trimming: trim() would silently drop a leading BOM or line separator instead of refusing it.
  if (HIDDEN.test(nfc)) throw invalidName('hidden-characters');
  if (MARK_PILE.test(nfc)) throw invalidName('stacked-marks');
  const name = nfc.trim();
  if (name.length === 0) throw invalidName('empty');
  if ([...name].length > CLIENT_NAME_MAX) throw invalidName('too-long');
  return name;
}

/**
 * A stored label made safe to show, for names approved before checkClientName existed: hidden characters become
 * U+FFFD (visible, so the operator sees something was there), mark piles are cut to three, length is bounded.
 */
export function displayClientName(stored: string): string {
  const shown = stored
    .normalize('NFC')
    .replace(HIDDEN_ALL, '\uFFFD')
    .replace(MARK_PILE_ALL, (pile) => [...pile].slice(0, 3).join(''))
    .trim();
  const points = [...shown];
  return points.length > CLIENT_NAME_MAX ? `${points.slice(0, CLIENT_NAME_MAX).join('')}…` : shown || '\uFFFD';
}

function p256Key(spkiB64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spkiB64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new AgentError('ERR_INVALID_PARAMS', 'publicKey is not an SPKI public key', { field: 'publicKey' });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new AgentError('ERR_INVALID_PARAMS', 'publicKey must be ECDSA P-256', { field: 'publicKey' });
  return key;
}

/** 6 digits from SHA-256(agent key ‖ client key ‖ clientId): both sides can show the same code. */
export function pairingCode(agentSpki: Uint8Array, clientSpkiB64: string, clientId: string): string {
  const h = createHash('sha256')
    .update(agentSpki)
    .update(Buffer.from(clientSpkiB64, 'base64'))
    .update(clientId)
    .digest();
  return String(h.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** One entry of paired-clients.json; unknown keys are dropped, expiresAt is absent in files of older versions. */
const storedClientSchema = z.object({
  clientId: z.string().min(1).max(64),
  clientName: z.string().max(1024),
  publicKey: z.string().min(1).max(1024),
  origin: z.string().min(1).max(512),
  approvedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
  lastUsedAt: z.iso.datetime().optional(),
});

/** Reads paired-clients.json; a damaged file stops the agent with one clear line (ConfigError), never a stack. */
function loadPairedFile(file: string): z.infer<typeof storedClientSchema>[] {
  const broken = (problem: string) =>
    new ConfigError('dataDir', `${file} ${problem}; fix it or move it away (its clients then pair again)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw broken(e instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read');
  }
  if (!Array.isArray(json)) throw broken('must hold a JSON array');
  return json.map((entry, i) => {
    const r = storedClientSchema.safeParse(entry);
    if (!r.success) throw broken(`entry ${i}: ${r.error.issues[0]?.path.join('.') || 'entry'} is missing or invalid`);
    try {
      p256Key(r.data.publicKey);
    } catch {
      throw broken(`entry ${i}: publicKey is not an ECDSA P-256 key`);
    }
    return r.data;
  });
}

export class PairingRegistry {
  private readonly pending = new Map<string, PairingRequest>();
  private readonly clients = new Map<string, PairedClient>();
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly agentSpki: Uint8Array,
    private readonly limits: PairingLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dataDir, 'paired-clients.json');
    if (existsSync(this.file)) this.load();
  }

  /** Registers a request for the connection `owner`; refused (ERR_RATE_LIMITED) beyond PENDING_CAPS. */
  begin(clientName: string, publicKey: string, origin: string, owner: string): PairingRequest {
    const name = checkClientName(clientName);
    p256Key(publicKey);
    this.checkPendingCaps(origin, owner);
    const clientId = `c_${randomBytes(12).toString('base64url')}`;
    const t = this.now();
    const request: PairingRequest = {
      clientId,
      clientName: name,
      publicKey,
      origin,
      owner,
      code: pairingCode(this.agentSpki, publicKey, clientId),
      createdAt: t,
      expiresAt: t + this.limits.pendingTtlMs,
      status: 'pending',
    };
    this.pending.set(clientId, request);
    return request;
  }

  /** The connection `owner` closed: its pending requests can no longer be approved. Returns how many went. */
  withdraw(owner: string): number {
    let withdrawn = 0;
    for (const [id, p] of this.pending)
      if (p.owner === owner && p.status === 'pending') {
        this.pending.delete(id);
        withdrawn++;
      }
    return withdrawn;
  }

  /** When the pending request of connection `owner` expires (ms), or undefined when it has none. */
  pendingUntil(owner: string): number | undefined {
    return this.list().find((p) => p.owner === owner)?.expiresAt;
  }

  status(clientId: string): PairingStatus {
    this.expire();
    if (this.clients.has(clientId)) return 'approved';
    const p = this.pending.get(clientId);
    if (!p) throw new AgentError('ERR_PAIRING_REJECTED', 'unknown pairing', { reason: 'unknown' });
    return p.status;
  }

  list(): PairingRequest[] {
    this.expire();
    return [...this.pending.values()].filter((p) => p.status === 'pending');
  }

  /** Approved clients, expired ones included until they are dropped (see isExpired). */
  paired(): PairedClient[] {
    if (this.dropLongExpired()) this.save();
    return [...this.clients.values()];
  }

  isExpired(client: PairedClient): boolean {
    return Date.parse(client.expiresAt) <= this.now();
  }

  approve(clientId: string): PairedClient {
    this.expire();
    const p = this.pending.get(clientId);
    if (p?.status !== 'pending') throw new AgentError('ERR_PAIRING_REJECTED', 'no such pending pairing');
    if (this.clients.size >= MAX_PAIRED)
      throw new AgentError('ERR_RATE_LIMITED', 'too many paired clients: revoke some first', { reason: 'paired' });
    p.status = 'approved';
    const t = this.now();
    const client: PairedClient = {
      clientId,
      clientName: p.clientName,
      publicKey: p.publicKey,
      origin: p.origin,
      approvedAt: new Date(t).toISOString(),
      expiresAt: new Date(t + this.limits.pairedTtlMs).toISOString(),
    };
    this.clients.set(clientId, client);
    this.save();
    return client;
  }

  reject(clientId: string): void {
    const p = this.pending.get(clientId);
    if (p?.status !== 'pending') throw new AgentError('ERR_PAIRING_REJECTED', 'no such pending pairing');
    p.status = 'rejected';
  }

  /** Forgets an approved client; the caller closes its live sessions. False when there was no such client. */
  revoke(clientId: string): boolean {
    // The settled request too: pair.status must not keep answering 'approved' for a revoked client.
    this.pending.delete(clientId);
    const had = this.clients.delete(clientId);
    if (had) this.save();
    return had;
  }

  /**
   * Checks a paired client's signature over pairAuthMessage(challenge); the connection origin must match. Only a
   * holder of the key learns that its pairing expired (reason 'pairing-expired'); the expired entry is then dropped.
   */
  authenticate(clientId: string, signatureB64: string, challenge: string, origin: string): PairedClient {
    const client = this.clients.get(clientId);
    const fail = () => new AgentError('ERR_UNAUTHENTICATED', 'pairing credential rejected', { reason: 'credential' });
    if (!client || client.origin !== origin) throw fail();
    const ok = verify(
      'sha256',
      pairAuthMessage(challenge),
      { key: p256Key(client.publicKey), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureB64, 'base64'),
    );
    if (!ok) throw fail();
    if (this.isExpired(client)) {
      this.clients.delete(clientId);
      this.save();
      throw new AgentError('ERR_UNAUTHENTICATED', 'pairing expired: pair again', { reason: 'pairing-expired' });
    }
    this.touch(client);
    return client;
  }

  private checkPendingCaps(origin: string, owner: string): void {
    const live = this.list();
    const refuse = (scope: string) =>
      new AgentError('ERR_RATE_LIMITED', `too many pending pairings (${scope})`, { reason: scope });
    if (live.filter((p) => p.owner === owner).length >= PENDING_CAPS.perConnection) throw refuse('connection');
    if (live.filter((p) => p.origin === origin).length >= PENDING_CAPS.perOrigin) throw refuse('origin');
    if (live.length >= PENDING_CAPS.total) throw refuse('total');
  }

  private touch(client: PairedClient): void {
    const t = this.now();
    const last = client.lastUsedAt ? Date.parse(client.lastUsedAt) : 0;
    if (t - last < LAST_USED_RESOLUTION_MS) return;
    client.lastUsedAt = new Date(t).toISOString();
    try {
      this.save();
    } catch {
      // Best effort: a failed write must not refuse a valid credential; the next save carries the new time.
    }
  }

  private expire(): void {
    const t = this.now();
    for (const [id, p] of this.pending) {
      if (p.status === 'pending' && p.expiresAt <= t) p.status = 'expired';
      // Forget settled requests after another TTL so the map stays bounded.
      if (p.status !== 'pending' && p.expiresAt + this.limits.pendingTtlMs <= t) this.pending.delete(id);
    }
  }

  private dropLongExpired(): boolean {
    const t = this.now();
    let dropped = false;
    for (const [id, c] of this.clients)
      if (Date.parse(c.expiresAt) + EXPIRED_KEPT_MS <= t) dropped = this.clients.delete(id) || dropped;
    return dropped;
  }

  /**
   * Entries of older versions have no expiresAt: they get approvedAt + TTL. A TTL lowered in the config also
   * shortens existing pairings (a raised one never lengthens them: the expiry fixed at approval stays the limit).
   */
  private load(): void {
    let changed = false;
    for (const entry of loadPairedFile(this.file)) {
      const byTtl = Date.parse(entry.approvedAt) + this.limits.pairedTtlMs;
      const stored = entry.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(entry.expiresAt);
      if (byTtl < stored) changed = true;
      const client: PairedClient = {
        clientId: entry.clientId,
        clientName: entry.clientName,
        publicKey: entry.publicKey,
        origin: entry.origin,
        approvedAt: entry.approvedAt,
        expiresAt: new Date(Math.min(byTtl, stored)).toISOString(),
        ...(entry.lastUsedAt ? { lastUsedAt: entry.lastUsedAt } : {}),
      };
      this.clients.set(client.clientId, client);
    }
    if (this.dropLongExpired() || changed) this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.clients.values()], null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
