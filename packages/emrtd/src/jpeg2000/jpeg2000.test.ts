import { readFileSync } from 'node:fs';
import { loadProfile, parseProfile, personalise } from '@cccd/simulator';
import { decode as decodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { EmrtdError, MalformedData } from '../errors.js';
import { parseDg2 } from '../lds/dg2.js';
import { decodeJpeg2000, JPEG2000_LIMITS } from './decode.js';
import { Jpeg2000Unsupported } from './errors.js';
import { readJpeg2000Header } from './header.js';
import { jpeg2000ToPng, toEightBit } from './png.js';

/** The 16×12 gradients of src/testing/jpeg2000 (make-fixtures.sh), lossless, and the simulator's JP2 face. */
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../testing/jpeg2000/${name}`, import.meta.url)));
const FACE = new Uint8Array(
  readFileSync(new URL('../../../../simulator/profiles/assets/face-240x320.jp2', import.meta.url)),
);
const W = 16;
const H = 12;

/** The gradient make-fixtures.sh draws: what a lossless decode must give back exactly. */
function gradient(channels: number, depth: number): number[] {
  const max = 2 ** depth - 1;
  return Array.from({ length: W * H * channels }, (_, i) => {
    const p = Math.floor(i / channels);
    const c = i % channels;
    return Math.round(((((p % W) * 7 + Math.floor(p / W) * 13 + c * 50) % 64) / 63) * max);
  });
}

/** A copy of a raw codestream with SIZ fields rewritten (offsets from SOC, 15444-1 §A.5.1). */
function patchSiz(base: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = base.slice();
  edit(new DataView(copy.buffer));
  return copy;
}
const XSIZ = 8;
const YSIZ = 12;
const XOSIZ = 16;
const XTSIZ = 24;
const YTSIZ = 28;
const SSIZ0 = 42;

async function failure(promise: Promise<unknown>): Promise<EmrtdError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EmrtdError);
  const error = e as EmrtdError;
  // Header numbers and offsets only: never a run of image bytes.
  expect(error.message).not.toMatch(/[0-9a-f]{12}|[A-Za-z0-9+/]{24}/);
  return error;
}

describe('readJpeg2000Header', () => {
  it('reads the SIZ of a JP2 file and of a raw codestream alike', () => {
    for (const [name, container] of [
      ['rgb8.jp2', 'jp2'],
      ['rgb8.j2k', 'j2k'],
    ] as const) {
      const h = readJpeg2000Header(fixture(name));
      expect(h).toMatchObject({ container, width: W, height: H, tiles: 1, palette: false, offsetX: 0 });
      expect(h.components).toEqual(Array(3).fill({ bitDepth: 8, signed: false, dx: 1, dy: 1 }));
      expect([...fixture(name).subarray(h.codestreamOffset, h.codestreamOffset + 4)]).toEqual([0xff, 0x4f, 0xff, 0x51]);
    }
    expect(readJpeg2000Header(FACE)).toMatchObject({ container: 'jp2', width: 240, height: 320 });
  });

  it('a last box of length 0 runs to the end of the file (15444-1 §I.4)', async () => {
    const open = fixture('g8.jp2');
    new DataView(open.buffer).setUint32(Buffer.from(open).indexOf('jp2c') - 4, 0);
    expect(readJpeg2000Header(open)).toMatchObject({ container: 'jp2', width: W, height: H });
    expect([...(await decodeJpeg2000(open)).samples]).toEqual(gradient(1, 8));
  });

  it('refuses what is neither, and boxes or markers that do not hold, as MalformedData', () => {
    const jp2 = fixture('g8.jp2');
    const j2k = fixture('g8.j2k');
    const longBox = jp2.slice();
    new DataView(longBox.buffer).setUint32(12, 0xffff); // the ftyp box runs past the end
    const badLsiz = patchSiz(j2k, (v) => v.setUint16(4, 40));
    const emptyImage = patchSiz(j2k, (v) => v.setUint32(XOSIZ, W));
    for (const bytes of [
      Uint8Array.of(0xff, 0xd8, 0xff, 0xe0),
      new Uint8Array(0),
      jp2.subarray(0, 30),
      longBox,
      j2k.subarray(0, 30),
      badLsiz,
      emptyImage,
    ])
      expect(() => readJpeg2000Header(bytes, 'DG2')).toThrow(MalformedData);
  });
});

describe('decodeJpeg2000', () => {
  it.each([
    ['g8', 1, 8],
    ['g16', 1, 16],
    ['rgb8', 3, 8],
    ['rgb16', 3, 16],
  ] as const)('%s: JP2 and J2K decode losslessly to the drawn samples', async (name, channels, depth) => {
    for (const ext of ['jp2', 'j2k']) {
      const image = await decodeJpeg2000(fixture(`${name}.${ext}`));
      expect({ ...image, samples: undefined }).toEqual({
        width: W,
        height: H,
        channels,
        bitDepth: depth,
        samples: undefined,
      });
      expect(image.samples).toBeInstanceOf(depth > 8 ? Uint16Array : Uint8Array);
      expect([...image.samples]).toEqual(gradient(channels, depth));
    }
  });

  it('the simulator face: 240×320 RGB', async () => {
    const image = await decodeJpeg2000(FACE);
    expect([image.width, image.height, image.channels, image.bitDepth]).toEqual([240, 320, 3, 8]);
  });

  it('alpha (2 or 4 components) is refused as unsupported before decoding', async () => {
    for (const name of ['ga8.jp2', 'ga8.j2k', 'rgba8.jp2', 'rgba8.j2k']) {
      const e = await failure(decodeJpeg2000(fixture(name)));
      expect(e).toMatchObject({ code: 'unsupported', reason: 'components' });
    }
  });

  it('a hostile SIZ claiming 60000×60000 gets a typed error, not an allocation', async () => {
    const huge = patchSiz(fixture('rgb8.j2k'), (v) => {
      v.setUint32(XSIZ, 60_000);
      v.setUint32(YSIZ, 60_000);
      v.setUint32(XTSIZ, 60_000);
      v.setUint32(YTSIZ, 60_000);
    });
    const e = await failure(decodeJpeg2000(huge));
    expect(e).toBeInstanceOf(Jpeg2000Unsupported);
    expect(e).toMatchObject({ reason: 'too-large' });
    expect(e.message).toBe(`JPEG 2000: 60000×60000 pixels exceed the limit of ${JPEG2000_LIMITS.maxPixels}`);
  });

  it('tile count, input size and the caller’s pixel limit are enforced', async () => {
    const tiny = patchSiz(fixture('g8.j2k'), (v) => {
      v.setUint32(XTSIZ, 1);
      v.setUint32(YTSIZ, 1);
    });
    await expect(decodeJpeg2000(tiny, { maxTiles: 100 })).rejects.toMatchObject({ reason: 'too-large' });
    await expect(decodeJpeg2000(fixture('g8.jp2'), { maxInputBytes: 100 })).rejects.toMatchObject({
      reason: 'too-large',
    });
    await expect(decodeJpeg2000(FACE, { maxPixels: 240 * 319 })).rejects.toMatchObject({ reason: 'too-large' });
  });

  it('signed samples, subsampling, an image offset and a palette are refused as unsupported', async () => {
    const j2k = fixture('g8.j2k');
    const cases: [Uint8Array, string][] = [
      [patchSiz(j2k, (v) => v.setUint8(SSIZ0, 0x87)), 'signed'],
      [patchSiz(j2k, (v) => v.setUint8(SSIZ0 + 1, 2)), 'subsampling'],
      [patchSiz(j2k, (v) => v.setUint32(XOSIZ, 1)), 'image-offset'],
      [patchSiz(j2k, (v) => v.setUint8(SSIZ0, 16 + 7)), 'bit-depth'],
    ];
    const jp2 = fixture('g8.jp2');
    const colr = Buffer.from(jp2).indexOf('colr');
    const palette = jp2.slice();
    palette.set([0x70, 0x63, 0x6c, 0x72], colr); // rename the colour box 'pclr'
    cases.push([palette, 'palette']);
    for (const [bytes, reason] of cases) {
      const e = await failure(decodeJpeg2000(bytes));
      expect({ reason, e }).toMatchObject({ reason, e: { reason, code: 'unsupported' } });
    }
  });

  it('a codestream that does not decode is MalformedData naming the source; the next decode still works', async () => {
    const rgb = fixture('rgb8.j2k');
    // A header that holds, then no tile: OpenJPEG reports an empty frame.
    const headerOnly = rgb.subarray(0, readSizEnd(rgb));
    const e = await failure(decodeJpeg2000(headerOnly, { source: 'DG2' }));
    expect(e).toBeInstanceOf(MalformedData);
    expect(e).toMatchObject({
      file: 'DG2',
      message: 'DG2: malformed data at offset 0: the codestream does not decode',
    });
    expect((await decodeJpeg2000(fixture('rgb8.jp2'))).samples.length).toBe(W * H * 3);
  });
});

/** End of the SIZ marker segment of a raw codestream. */
const readSizEnd = (j2k: Uint8Array) => 4 + new DataView(j2k.buffer, j2k.byteOffset).getUint16(4);

describe('jpeg2000ToPng', () => {
  it('the face as an 8-bit RGB PNG with the decoded pixels', async () => {
    const png = await jpeg2000ToPng(FACE);
    expect(png).toMatchObject({ mimeType: 'image/png', width: 240, height: 320 });
    expect([...png.png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const back = decodePng(png.png);
    expect([back.width, back.height, back.channels, back.depth]).toEqual([240, 320, 3, 8]);
    expect(Buffer.from(back.data as Uint8Array).equals(Buffer.from((await decodeJpeg2000(FACE)).samples))).toBe(true);
  });

  it('16-bit greyscale becomes 8-bit greyscale, rescaled', async () => {
    const back = decodePng((await jpeg2000ToPng(fixture('g16.j2k'))).png);
    expect([back.channels, back.depth]).toEqual([1, 8]);
    expect([...back.data]).toEqual(gradient(1, 8));
  });

  it('toEightBit rescales any depth to 0..255', () => {
    expect([...toEightBit(Uint16Array.of(0, 32768, 65535), 16)]).toEqual([0, 128, 255]);
    expect([...toEightBit(Uint8Array.of(0, 1), 1)]).toEqual([0, 255]);
    expect([...toEightBit(Uint16Array.of(0, 2048, 4095), 12)]).toEqual([0, 128, 255]);
    const eight = Uint8Array.of(1, 2);
    expect(toEightBit(eight, 8)).toBe(eight);
  });
});

describe('a simulated card with a JPEG 2000 face', () => {
  it.each(['jp2', 'j2k'] as const)('DG2 (%s) parses and its face becomes the 240×320 PNG', async (format) => {
    const base = loadProfile('cccd-2021-jp2');
    const card = await personalise(parseProfile({ ...base, face: { ...base.face, format } }), {
      activeAuthentication: null,
    });
    const [face] = parseDg2(card.files.get(0x0102)!).faces;
    expect(face).toMatchObject({ imageDataType: 1, format: format === 'jp2' ? 'jpeg2000' : 'j2k', width: 240 });
    const png = await jpeg2000ToPng(face!.image, { source: 'DG2' });
    expect([png.width, png.height]).toEqual([face!.width, face!.height]);
  });
});
