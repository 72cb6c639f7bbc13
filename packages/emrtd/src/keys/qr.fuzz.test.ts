/**
 * Property tests for the CCCD QR payload parser and the candidate keys derived from it: arbitrary text gives a
 * result or a typed error that echoes nothing of the input; well-formed payloads (with scanner noise: doubled
 * scans, trailing CR/LF, extra fields) round-trip, and the candidate list is capped, de-duplicated and CAN-first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmrtdError } from '../errors.js';
import { fuzzRuns } from '../testing/fuzz-runs.js';
import { candidateKeys, parseCccdQr } from './cccd-qr.js';

const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const date = fc.date({ min: new Date('1920-01-01'), max: new Date('2040-12-31'), noInvalidDate: true });
const ddmmyyyy = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${d.getUTCFullYear()}`;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const field = fc.string({ maxLength: 40 }).map((s) => s.replace(/[|\r\n]/g, ' ').trim());

const payload = fc.record({
  id: digits(12),
  oldId: fc.option(digits(9), { nil: '' }),
  name: field,
  dob: date,
  sex: fc.constantFrom('Nam', 'Nữ'),
  address: field,
  issue: date,
  extra: fc.array(field, { maxLength: 3 }),
});

describe('CCCD QR payload under fuzzing', () => {
  it('arbitrary text: a result or an invalid-argument error that echoes no input', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 12 }).map((f) => f.join('|')),
      fc.tuple(digits(12), fc.string({ maxLength: 80 })).map(([id, rest]) => `${id}|${rest}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseCccdQr(t);
        } catch (e) {
          if (!(e instanceof EmrtdError) || e.code !== 'invalid-argument') throw e;
          for (const run of t.match(/\d{6,}/g) ?? []) expect(e.message).not.toContain(run);
        }
      }),
      { numRuns: fuzzRuns(10_000) },
    );
  });

  it('well-formed payloads round-trip through scanner noise and give capped, CAN-first candidates', () => {
    fc.assert(
      fc.property(payload, fc.boolean(), fc.integer({ min: 1, max: 5 }), (p, doubled, max) => {
        const fields = [p.id, p.oldId, p.name, ddmmyyyy(p.dob), p.sex, p.address, ddmmyyyy(p.issue), ...p.extra];
        const once = fields.join('|');
        const qr = parseCccdQr(doubled ? `${once}${once}\r\n` : `${once}\n`);
        expect(qr.idNumber).toBe(p.id);
        expect(qr.oldIdNumber).toBe(p.oldId === '' ? null : p.oldId);
        expect(qr.dateOfBirth).toBe(iso(p.dob));
        expect(qr.dateOfIssue).toBe(iso(p.issue));
        const keys = candidateKeys(qr, { maxAttempts: max });
        expect(keys.length).toBeGreaterThanOrEqual(1);
        expect(keys.length).toBeLessThanOrEqual(max);
        expect(keys[0]!.key.kind).toBe('CAN');
        const ids = keys.map((k) => (k.key.kind === 'CAN' ? 'CAN' : k.key.dateOfExpiry));
        expect(new Set(ids).size).toBe(ids.length);
        for (const k of keys) expect(k.label).not.toContain(p.id);
      }),
      { numRuns: fuzzRuns(3_000) },
    );
  });
});
