import { describe, expect, it } from 'vitest';
import { analyseReadBinary } from './read-binary.js';
import type { ApduTraceEntry } from './trace.js';

let n = 0;
function rb(e: Partial<ApduTraceEntry> & { le: number; sw: number; responseBytes: number }): ApduTraceEntry {
  return {
    index: n++,
    phase: 'read',
    cla: e.sm === false ? 0 : 0x0c,
    ins: 0xb0,
    p1: 0,
    p2: 0,
    lc: 13,
    ne: e.extended ? 65536 : 256,
    extended: false,
    sm: true,
    commandBytes: 20,
    ms: 1,
    ...e,
  };
}

describe('analyseReadBinary', () => {
  it('reports the largest answer that worked and every refused size with its SW', () => {
    const p = analyseReadBinary([
      rb({ le: 15986, extended: true, sw: 0x6700, responseBytes: 2 }),
      rb({ le: 0xdf, sw: 0x9000, responseBytes: 0xdf + 28 }),
      rb({ le: 0xdf, sw: 0x9000, responseBytes: 0xdf + 28 }),
      rb({ le: 4096, extended: true, sw: 0x6700, responseBytes: 2 }),
      rb({ le: 4096, extended: true, sw: 0x6700, responseBytes: 2 }),
      rb({ le: 1024, extended: true, sw: 0x9000, responseBytes: 1061 }),
      rb({ le: 65536, extended: true, sw: 0x9000, responseBytes: 1061 }),
      { ...rb({ le: 8, sw: 0x6a82, responseBytes: 2 }) },
    ]);
    expect(p.exchanges).toBe(8);
    expect(p.extendedLength).toEqual({ used: true, accepted: true });
    expect(p.largestAccepted).toEqual({ le: 65536, extended: true, responseBytes: 1061 });
    expect(p.refused).toEqual([
      { le: 15986, extended: true, sw: '6700', count: 1 },
      { le: 4096, extended: true, sw: '6700', count: 2 },
    ]);
    expect(p.endOfFile).toEqual([]);
    expect(p.sfi).toEqual({ used: false, refusedSw: [] });
  });

  it('says extended length was refused when no extended read worked', () => {
    const p = analyseReadBinary([
      rb({ le: 65519, extended: true, sw: 0x6a86, responseBytes: 2 }),
      rb({ le: 0xdf, sw: 0x9000, responseBytes: 250 }),
    ]);
    expect(p.extendedLength).toEqual({ used: true, accepted: false });
    expect(p.refused).toEqual([{ le: 65519, extended: true, sw: '6A86', count: 1 }]);
  });

  it('sees the end-of-file answers: a short plain 9000, 6282 and 6B00', () => {
    const p = analyseReadBinary([
      rb({ sm: false, le: 46, sw: 0x9000, responseBytes: 20 }),
      rb({ le: 8, sw: 0x6282, responseBytes: 30 }),
      rb({ le: 1, sw: 0x6b00, responseBytes: 2 }),
    ]);
    expect(p.endOfFile.sort()).toEqual(['6282', '6B00', '9000-short']);
    expect(p.refused).toEqual([]);
    // A protected 9000 hides its data length: never counted as a short answer.
    expect(analyseReadBinary([rb({ le: 223, sw: 0x9000, responseBytes: 40 })]).endOfFile).toEqual([]);
  });

  it('reports SFI reads: accepted, or refused with their SWs', () => {
    const ok = analyseReadBinary([rb({ p1: 0x9e, le: 4, sw: 0x9000, responseBytes: 30 })]);
    expect(ok.sfi).toEqual({ used: true, accepted: true, refusedSw: [] });
    const no = analyseReadBinary([
      rb({ p1: 0x9c, sm: false, le: 8, sw: 0x6a86, responseBytes: 2 }),
      rb({ p1: 0x9c, sm: false, le: 8, sw: 0x6d00, responseBytes: 2 }),
    ]);
    expect(no.sfi).toEqual({ used: true, accepted: false, refusedSw: ['6A86', '6D00'] });
  });

  it('ignores other commands and failed exchanges without a status word', () => {
    const p = analyseReadBinary([
      { ...rb({ le: 8, sw: 0x9000, responseBytes: 10 }), ins: 0xa4 },
      { ...rb({ le: 8, sw: 0x9000, responseBytes: 10 }), sw: undefined, error: 'timeout' },
    ]);
    expect(p.exchanges).toBe(0);
    expect(p.largestAccepted).toBeUndefined();
    expect(p.extendedLength).toEqual({ used: false });
  });
});
