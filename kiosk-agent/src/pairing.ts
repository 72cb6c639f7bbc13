/**
 * Pairing for desktop and LAN clients that cannot get a backend ticket (Fortify's model, without the window):
 * pair.begin registers the client's ES256 public key and yields a 6-digit code; the operator compares the code the
 * client shows with the one on the agent's console and /admin page, and approves. Later sessions prove possession
 * of the key by signing the per-connection challenge of agent.hello (pairAuthMessage). Approved keys are stored in
 * the data folder (public keys and labels only).
 *
 * A pending request belongs to the connection that made it and is withdrawn when that connection closes, so one
 * client cannot fill the pending list with requests nobody waits for (docs/agent-protocol.md §4.2).
 */
import { createHash, createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairAuthMessage } from '@cccd/client';
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
}

/**
 * Live pending requests allowed at once: one per connection, a few per origin (all desktop clients share 'native'),
 * and a global ceiling. Each request also costs an open socket, itself capped per origin by the upgrade gate.
 */
export const PENDING_CAPS = { perConnection: 1, perOrigin: 4, total: 16 } as const;

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

export class PairingRegistry {
  private readonly pending = new Map<string, PairingRequest>();
  private readonly clients = new Map<string, PairedClient>();
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly agentSpki: Uint8Array,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dataDir, 'paired-clients.json');
    if (existsSync(this.file)) {
      const list = JSON.parse(readFileSync(this.file, 'utf8')) as PairedClient[];
      for (const c of list) this.clients.set(c.clientId, c);
    }
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
      expiresAt: t + this.ttlMs,
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

  paired(): PairedClient[] {
    return [...this.clients.values()];
  }

  approve(clientId: string): PairedClient {
    this.expire();
    const p = this.pending.get(clientId);
    if (p?.status !== 'pending') throw new AgentError('ERR_PAIRING_REJECTED', 'no such pending pairing');
    p.status = 'approved';
    const client: PairedClient = {
      clientId,
      clientName: p.clientName,
      publicKey: p.publicKey,
      origin: p.origin,
      approvedAt: new Date(this.now()).toISOString(),
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

  revoke(clientId: string): boolean {
    const had = this.clients.delete(clientId);
    if (had) this.save();
    return had;
  }

  /** Checks a paired client's signature over pairAuthMessage(challenge); the connection origin must match. */
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

  private expire(): void {
    const t = this.now();
    for (const [id, p] of this.pending) {
      if (p.status === 'pending' && p.expiresAt <= t) p.status = 'expired';
      // Forget settled requests after another TTL so the map stays bounded.
      if (p.status !== 'pending' && p.expiresAt + this.ttlMs <= t) this.pending.delete(id);
    }
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.paired(), null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
