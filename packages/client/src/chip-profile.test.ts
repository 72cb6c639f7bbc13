import { describe, expect, it } from 'vitest';
import { chipProfileSchema } from './chip-profile.js';
import { adminDiagnoseParamsSchema } from './protocol.js';

/** The smallest profile diagnoseChip can return (a read that stopped before anything was learned). */
const minimal = {
  format: 'cccd-chip-profile',
  version: 1,
  library: { name: '@cccd/emrtd', version: '0.1.0' },
  createdAt: '2026-01-02T03:04:05.678Z',
  outcome: 'failed',
  failure: { code: 'card-removed', step: 'transmit' },
  reader: { link: {} },
  access: { refusals: [] },
  readBinary: {
    exchanges: 0,
    extendedLength: { used: false },
    refused: [],
    endOfFile: [],
    sfi: { used: false, refusedSw: [] },
  },
  files: [{ file: 'DG1', status: 'not-read' }],
  chipAuthentication: { status: 'not-checked', performed: false, success: false, exchanges: [], reasons: [] },
  activeAuthentication: { status: 'not-checked', performed: false, exchanges: [], reasons: [] },
  refusals: [],
  timing: { exchanges: 0, apduMs: 0, readMs: 3, dropped: 0, reconnects: 0, byCommand: [] },
  exchanges: [],
};

describe('chipProfileSchema', () => {
  it('accepts a minimal profile and passes verdict statuses it does not know through', () => {
    expect(chipProfileSchema.safeParse(minimal).success).toBe(true);
    const refused = {
      ...minimal.chipAuthentication,
      status: 'refused',
      failure: { step: 'CA MSE:Set AT', sw: '6A86' },
    };
    expect(chipProfileSchema.safeParse({ ...minimal, chipAuthentication: refused }).success).toBe(true);
  });

  it('is strict: an unknown key (e.g. a data group value) or a malformed SW is refused', () => {
    expect(chipProfileSchema.safeParse({ ...minimal, dg1: '3C3C3C' }).success).toBe(false);
    expect(chipProfileSchema.safeParse({ ...minimal, access: { refusals: [], mrz: 'X' } }).success).toBe(false);
    const badSw = { ...minimal, refusals: [{ i: 0, phase: 'read', command: 'READ BINARY', sm: true, sw: '6a82' }] };
    expect(chipProfileSchema.safeParse(badSw).success).toBe(false);
  });
});

describe('adminDiagnoseParamsSchema', () => {
  const token = 't'.repeat(24);
  it('takes a typed key and the admin token; no QR wait, no unknown keys', () => {
    expect(adminDiagnoseParamsSchema.safeParse({ adminToken: token, accessKey: { can: '012345' } }).success).toBe(true);
    const card = { idNumber: '001090012345', dateOfBirth: '1990-08-15', dateOfExpiry: null };
    expect(adminDiagnoseParamsSchema.safeParse({ adminToken: token, accessKey: card, probes: false }).success).toBe(
      true,
    );
    const bad = [
      { accessKey: { can: '012345' } },
      { adminToken: 'short', accessKey: { can: '012345' } },
      { adminToken: token, accessKey: { fromQrScanner: true } },
      { adminToken: token, accessKey: { can: '012345' }, groups: ['DG1'] },
    ];
    for (const p of bad) expect(adminDiagnoseParamsSchema.safeParse(p).success).toBe(false);
  });
});
