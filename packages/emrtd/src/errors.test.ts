import { describe, expect, it } from 'vitest';
import { errorForSw } from './apdu/status.js';
import { EmrtdError, FileNotFound, MalformedData, UnsupportedAlgorithm } from './errors.js';

const where = (e: EmrtdError) => ({ code: e.code, step: e.step, file: e.file, sw: e.sw });

describe('errors carry { step, file?, sw? }', () => {
  it('malformed data names a file, or the step whose response it was, never both wrongly', () => {
    expect(where(new MalformedData('DG1', 4, 'truncated tag'))).toEqual({
      code: 'malformed-data',
      step: undefined,
      file: 'DG1',
      sw: undefined,
    });
    const ga = new MalformedData({ step: 'GA 4' }, 0, 'bad CAM data length');
    expect(where(ga)).toEqual({ code: 'malformed-data', step: 'GA 4', file: undefined, sw: undefined });
    expect(ga.message).toBe('GA 4: malformed data at offset 0: bad CAM data length');
    expect(new MalformedData('DG2', 9, 'x', { step: 'READ BINARY DG2' }).step).toBe('READ BINARY DG2');
  });

  it('status-word errors of a file name the step, the file and the status word', () => {
    const step = 'READ BINARY DG2';
    expect(where(errorForSw(step, 0x6a82, { file: 'DG2' }) as EmrtdError)).toEqual({
      code: 'file-not-found',
      step,
      file: 'DG2',
      sw: 0x6a82,
    });
    expect(where(errorForSw(step, 0x6b00, { file: 'DG2' }) as EmrtdError)).toEqual({
      code: 'card-error',
      step,
      file: 'DG2',
      sw: 0x6b00,
    });
    expect(new FileNotFound('DG3').file).toBe('DG3');
  });

  it('an unsupported algorithm is an EmrtdError like the others', () => {
    const e = new UnsupportedAlgorithm('hash 1.2.3');
    expect(e).toBeInstanceOf(EmrtdError);
    expect([e.code, e.name, e.message]).toEqual(['unsupported', 'UnsupportedAlgorithm', 'hash 1.2.3']);
  });
});
