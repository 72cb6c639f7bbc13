/**
 * combineChipVerdicts: how a PACE-CAM mismatch and a DG14 Chip Authentication are weighed (docs/verification.md,
 * "Why a mismatch is not the last word"). DO'8A' has no MAC, so a mismatch is answered by CA; a clone signal stays
 * one unless CA proves a key passive authentication vouches for.
 */
import { describe, expect, it } from 'vitest';
import type { CardSecurityVerdict } from './card-security.js';
import { chipAuthenticationVerdict, combineChipVerdicts, paceCamVerdict } from './chip-auth.js';

const validFile: CardSecurityVerdict = { status: 'valid', reasons: [] };
const mismatch = paceCamVerdict({ result: 'mismatch', cardSecurity: validFile });
const codes = (v: { reasons: { code: string }[] } | undefined) => v?.reasons.map((r) => r.code);

describe('combineChipVerdicts after a CAM mismatch', () => {
  it('CA valid with DG14 under a valid SOD: valid, method ca, with the warning in front', () => {
    const ca = chipAuthenticationVerdict({ succeeded: true, dg14Status: 'match' });
    const v = combineChipVerdicts(ca, mismatch);
    expect(v).toMatchObject({ status: 'valid', method: 'ca', keyVerified: true, cardSecurity: validFile });
    expect(codes(v)).toEqual(['cam-mismatch-ca-valid']);
    expect(v?.reasons[0]?.severity).toBe('warning');
  });

  it("CA valid with a key only EF.CardSecurity vouches for: valid when it is EF.CardSecurity's key, else invalid", () => {
    const ca = chipAuthenticationVerdict({ succeeded: true });
    expect(codes(ca)).toEqual(['ca-key-not-verified']);
    const tied = combineChipVerdicts(ca, mismatch, { caKeyInCardSecurity: true });
    expect(tied).toMatchObject({ status: 'valid', keyVerified: true });
    expect(codes(tied)).toEqual(['cam-mismatch-ca-valid']);
    const untied = combineChipVerdicts(ca, mismatch, { caKeyInCardSecurity: false });
    expect(untied).toMatchObject({ status: 'invalid', method: 'pace-cam' });
    expect(codes(untied)).toEqual(['cam-failed']);
  });

  it('CA failed: invalid with both reasons; CA refused or not run: the mismatch stands', () => {
    const failed = combineChipVerdicts(chipAuthenticationVerdict({ succeeded: false, dg14Status: 'match' }), mismatch);
    expect(failed?.status).toBe('invalid');
    expect(codes(failed)).toEqual(['cam-failed', 'ca-failed']);
    const refused = chipAuthenticationVerdict({ succeeded: false, refusedSw: 0x6a86, dg14Status: 'match' });
    expect(combineChipVerdicts(refused, mismatch)).toBe(mismatch);
    expect(combineChipVerdicts(chipAuthenticationVerdict({}), mismatch)).toBe(mismatch);
    expect(combineChipVerdicts(undefined, mismatch)).toBe(mismatch);
  });

  it('an untied CAM claim counts neither way: not-checked, and CA decides', () => {
    const claim = paceCamVerdict({ result: 'match', claimed: true, cardSecurity: validFile, tied: false });
    expect(claim).toMatchObject({ status: 'not-checked', keyVerified: false });
    expect(codes(claim)).toEqual(['cam-claimed-only', 'cam-not-tied']);
    const ca = chipAuthenticationVerdict({ succeeded: true, dg14Status: 'match', claimed: true });
    expect(combineChipVerdicts(ca, claim)).toMatchObject({ status: 'valid' });
    expect(paceCamVerdict({ result: 'mismatch', claimed: true, cardSecurity: validFile, tied: false }).status).toBe(
      'not-checked',
    );
  });
});
