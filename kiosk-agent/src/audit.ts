/**
 * Audit trail: one JSON object per line, append-only, each line carrying the SHA-256 of the previous line's hash and
 * its own canonical content, so deleting, reordering or editing a line breaks the chain at that line. It records who
 * asked for what and what was released — never the values. The card is identified only by an HMAC of its ID number
 * under a per-install key: the same card correlates within one install, and the hash is useless elsewhere.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { canonicalJson } from '@cccd/client';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  event: 'read' | 'auth' | 'pair' | 'diagnose';
  outcome: string;
  origin?: string;
  clientId?: string;
  operatorId?: string;
  purpose?: string;
  readerId?: string;
  readId?: string;
  fieldsRequested?: string[];
  fieldsReleased?: string[];
  verdict?: string;
  /** HMAC-SHA256(install key, ID number), hex. */
  idHash?: string;
  evidence?: boolean;
  /** Events of this kind not written one by one (rate-limited failures). */
  count?: number;
}

export interface AuditRecord extends AuditEvent {
  seq: number;
  time: string;
  prev: string;
  hash: string;
}

const lineHash = (record: Omit<AuditRecord, 'hash'>) =>
  createHash('sha256').update(canonicalJson(record), 'utf8').digest('hex');

/** Last non-empty line of a file, reading backwards in blocks (audit files can grow large). */
function lastLine(file: string): string | undefined {
  const size = statSync(file).size;
  if (size === 0) return undefined;
  const fd = openSync(file, 'r');
  try {
    let tail = '';
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - 4096);
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      tail = buf.toString('utf8') + tail;
      const trimmed = tail.replace(/\n+$/, '');
      const nl = trimmed.lastIndexOf('\n');
      if (nl >= 0 || start === 0) return trimmed.slice(nl + 1) || undefined;
      end = start;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export class AuditError extends Error {
  override name = 'AuditError';
}

export class AuditTrail {
  private seq = 0;
  private prev = GENESIS_HASH;

  constructor(
    readonly file: string,
    private readonly idKey: Uint8Array,
  ) {
    if (existsSync(file)) {
      const last = lastLine(file);
      if (last) {
        let rec: AuditRecord;
        try {
          rec = JSON.parse(last) as AuditRecord;
        } catch {
          throw new AuditError(`audit trail ${file}: last line is not JSON; run verifyAuditChain and rotate the file`);
        }
        if (typeof rec.seq !== 'number' || typeof rec.hash !== 'string')
          throw new AuditError(`audit trail ${file}: last line is not an audit record`);
        this.seq = rec.seq;
        this.prev = rec.hash;
      }
    }
  }

  /** Salted hash of an ID number (never store the number itself). */
  idHash(idNumber: string): string {
    return createHmac('sha256', this.idKey).update(`cccd-id:${idNumber}`, 'utf8').digest('hex');
  }

  append(event: AuditEvent, now = new Date()): AuditRecord {
    const body: Omit<AuditRecord, 'hash'> = { seq: this.seq + 1, time: now.toISOString(), prev: this.prev, ...event };
    const record: AuditRecord = { ...body, hash: lineHash(body) };
    // O_APPEND with one write per line: concurrent readers never see a half record from us.
    appendFileSync(this.file, `${canonicalJson(record)}\n`, { encoding: 'utf8', mode: 0o600 });
    this.seq = record.seq;
    this.prev = record.hash;
    return record;
  }
}

export interface AuditVerification {
  ok: boolean;
  /** Records that verified. */
  records: number;
  /** 1-based line of the first broken record. */
  brokenAt?: number;
  problem?: string;
}

/** Recomputes the hash chain of an audit file: every line's hash, prev link and sequence number. */
export function verifyAuditChain(file: string): AuditVerification {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let prev = GENESIS_HASH;
  let seq = 0;
  for (const [i, line] of lines.entries()) {
    const fail = (problem: string): AuditVerification => ({ ok: false, records: i, brokenAt: i + 1, problem });
    let rec: AuditRecord;
    try {
      rec = JSON.parse(line) as AuditRecord;
    } catch {
      return fail('not JSON');
    }
    if (typeof rec !== 'object' || rec === null) return fail('not an object');
    const { hash, ...body } = rec;
    if (body.prev !== prev) return fail('prev does not match the previous hash');
    if (body.seq !== seq + 1) return fail('sequence number out of order');
    if (hash !== lineHash(body)) return fail('hash does not match the content');
    prev = hash;
    seq = body.seq;
  }
  return { ok: true, records: lines.length };
}
