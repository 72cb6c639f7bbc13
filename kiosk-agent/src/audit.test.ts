import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail, verifyAuditChain } from './audit.js';

const key = new Uint8Array(32).fill(7);
const fresh = () => join(mkdtempSync(join(tmpdir(), 'cccd-audit-')), 'audit.jsonl');
const entry = (i: number) => ({
  event: 'read' as const,
  outcome: 'ok',
  origin: 'https://his.example.vn',
  operatorId: 'nurse-07',
  purpose: 'clinic-checkin',
  fieldsRequested: ['idNumber'],
  fieldsReleased: ['idNumber'],
  verdict: 'authentic',
  readId: `r_${i}`,
});

describe('audit trail', () => {
  it('chains lines by hash, continues an existing file, and verifies', () => {
    const file = fresh();
    const a = new AuditTrail(file, key);
    a.append(entry(1));
    a.append(entry(2));
    const b = new AuditTrail(file, key);
    const third = b.append(entry(3));
    expect(third.seq).toBe(3);
    expect(verifyAuditChain(file)).toEqual({ ok: true, records: 3 });
  });

  it('detects an edited, deleted, reordered or truncated line', () => {
    const file = fresh();
    const t = new AuditTrail(file, key);
    for (let i = 1; i <= 4; i++) t.append(entry(i));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const check = (ls: string[]) => {
      const f = fresh();
      writeFileSync(f, `${ls.join('\n')}\n`);
      return verifyAuditChain(f);
    };
    expect(check(lines.map((l, i) => (i === 1 ? l.replace('"authentic"', '"invalid"') : l)))).toMatchObject({
      ok: false,
      brokenAt: 2,
    });
    expect(check([lines[0]!, lines[2]!, lines[3]!])).toMatchObject({ ok: false, brokenAt: 2 });
    expect(check([lines[1]!, lines[0]!, lines[2]!])).toMatchObject({ ok: false, brokenAt: 1 });
    expect(check([...lines.slice(0, 3), lines[3]!.slice(0, 20)])).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('identifies a card by a salted hash: stable per install, different across installs', () => {
    const a = new AuditTrail(fresh(), key);
    const b = new AuditTrail(fresh(), new Uint8Array(32).fill(8));
    const id = '001090012345';
    expect(a.idHash(id)).toBe(a.idHash(id));
    expect(a.idHash(id)).not.toBe(b.idHash(id));
    expect(a.idHash(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(a.idHash(id)).not.toContain(id);
  });
});
