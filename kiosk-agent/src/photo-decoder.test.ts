/**
 * The JPEG 2000 worker: a conversion that outlives its deadline is a typed failure (the worker is ended, so a
 * hostile codestream costs at most the deadline and never the agent's event loop), and the next conversion gets a
 * fresh worker. The decoder's own refusals keep their class, code and reason.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PhotoDecoder } from './photo-decoder.js';

const JP2 = new Uint8Array(readFileSync(new URL('../../simulator/profiles/assets/face-240x320.jp2', import.meta.url)));
const decoders: PhotoDecoder[] = [];
const decoder = (timeoutMs?: number) => {
  const d = new PhotoDecoder(timeoutMs);
  decoders.push(d);
  return d;
};
afterAll(() => Promise.all(decoders.map((d) => d.close())));

describe('PhotoDecoder', () => {
  it('ends a conversion at its deadline with a typed error, then converts with a fresh worker', async () => {
    const d = decoder(1);
    const started = Date.now();
    await expect(d.toPng(JP2, { source: 'DG2' })).rejects.toMatchObject({ name: 'PhotoDecodeError', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    const ok = decoder(20_000);
    await expect(ok.toPng(JP2, { source: 'DG2' })).resolves.toMatchObject({ width: 240, height: 320 });
  });

  it("keeps the decoder's refusal (class, code, reason) and the caller's bytes untouched", async () => {
    const d = decoder(20_000);
    const huge = JP2.slice();
    const at = Buffer.from(huge).indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51])); // SOC + SIZ
    new DataView(huge.buffer).setUint32(at + 8, 60_000);
    new DataView(huge.buffer).setUint32(at + 12, 60_000);
    const copy = huge.slice();
    await expect(d.toPng(huge, { maxPixels: 1_000_000 })).rejects.toMatchObject({
      name: 'Jpeg2000Unsupported',
      code: 'unsupported',
      reason: 'too-large',
    });
    expect(huge).toEqual(copy);
  });

  it('close() fails what is in flight', async () => {
    const d = decoder(20_000);
    const outcome = d.toPng(JP2, {}).catch((e: unknown) => e);
    await d.close();
    expect(await outcome).toMatchObject({ name: 'PhotoDecodeError', code: 'closed' });
  });
});
