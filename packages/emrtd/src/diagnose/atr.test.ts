import { describe, expect, it } from 'vitest';
import { fromHex } from '../codec/bytes.js';
import { parseAtr } from './atr.js';

describe('parseAtr', () => {
  it('reads the historical bytes and card capabilities of a contactless ATR (PC/SC part 3)', () => {
    const atr = parseAtr(fromHex('3B85800180739401C0A2'));
    expect(atr).toEqual({
      hex: '3B85800180739401C0A2',
      historicalBytes: '80739401C0',
      protocols: ['T=0', 'T=1'],
      wellFormed: true,
      cardCapabilities: { selection: ['DF name', 'FID', 'SFI'], commandChaining: true, extendedLength: true },
    });
    expect(parseAtr(fromHex('3B8580018073940180A2')).cardCapabilities?.extendedLength).toBe(false);
  });

  it('skips the interface bytes of a contact ATR and leaves non-TLV historical bytes alone', () => {
    // T0=F5: TA1 TB1 TC1 TD1, 5 historical bytes; TD1=81: T=1, TD2 follows; TD2=31: T=1, TA3 TB3; then 'JCOP3'.
    const atr = parseAtr(fromHex('3BF51800008131FE454A434F5033'));
    expect(atr.protocols).toEqual(['T=1']);
    expect(atr.historicalBytes).toBe('4A434F5033');
    expect(atr.cardCapabilities).toBeUndefined();
  });

  it('marks a cut ATR as not well formed', () => {
    expect(parseAtr(fromHex('3BF518')).wellFormed).toBe(false);
    expect(parseAtr(fromHex('3B8A8001')).wellFormed).toBe(false);
  });
});
