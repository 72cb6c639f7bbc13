/**
 * The decoder's loading and failure paths, with OpenJPEG replaced by a fake: a module that does not load is a typed
 * `decoder` error and is retried on the next call; an Emscripten exception (a bare number) is MalformedData and the
 * module it came from is not reused.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MalformedData } from '../errors.js';
import { decodeJpeg2000 } from './decode.js';
import { Jpeg2000Unsupported } from './errors.js';

const fake = vi.hoisted(() => ({ factory: vi.fn() }));
vi.mock('@cornerstonejs/codec-openjpeg/decode', () => ({ default: fake.factory }));

const G8 = new Uint8Array(readFileSync(new URL('../testing/jpeg2000/g8.j2k', import.meta.url)));

/** A module whose decoder throws what Emscripten throws for a C++ exception: a number. */
function throwingModule() {
  return {
    J2KDecoder: class {
      getEncodedBuffer = (n: number) => new Uint8Array(n);
      decode = () => {
        throw 1_179_936;
      };
      getFrameInfo = () => ({ width: 0, height: 0, bitsPerSample: 0, componentCount: 0, isSigned: false });
      getDecodedBuffer = () => new Uint8Array(0);
      delete = vi.fn();
    },
  };
}

beforeEach(() => fake.factory.mockReset());

describe('the OpenJPEG module', () => {
  it('that does not load is Jpeg2000Unsupported(decoder), and the next call loads again', async () => {
    fake.factory.mockRejectedValueOnce(new Error('out of memory')).mockResolvedValue(throwingModule());
    await expect(decodeJpeg2000(G8)).rejects.toMatchObject({ name: 'Jpeg2000Unsupported', reason: 'decoder' });
    await expect(decodeJpeg2000(G8)).rejects.toBeInstanceOf(MalformedData);
    expect(fake.factory).toHaveBeenCalledTimes(2);
  });

  it('that throws a C++ exception gives MalformedData and is dropped; the options object is fresh each load', async () => {
    fake.factory.mockResolvedValue(throwingModule());
    for (let i = 0; i < 2; i++) {
      const e = await decodeJpeg2000(G8, { source: 'DG2' }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(MalformedData);
      expect(e).not.toBeInstanceOf(Jpeg2000Unsupported);
      expect((e as MalformedData).message).toBe('DG2: malformed data at offset 0: the codestream does not decode');
    }
    expect(fake.factory).toHaveBeenCalledTimes(2);
    const [[first], [second]] = fake.factory.mock.calls as [[object], [object]];
    expect(first).not.toBe(second);
  });
});
