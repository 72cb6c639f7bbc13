import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';

/**
 * A clearly synthetic portrait (cartoon oval face on a plain background, a red-hatched specimen band at the bottom),
 * deterministic from a seed. It only has to look like a face to a human and have the bytes of a real JPEG.
 */

/** mulberry32: a tiny seeded PRNG; deterministic drawing needs no cryptographic quality. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rgb = [number, number, number];

const SKIN: Rgb[] = [
  [241, 204, 170],
  [224, 180, 140],
  [198, 150, 110],
  [235, 195, 160],
];
const HAIR: Rgb[] = [
  [30, 24, 20],
  [45, 35, 28],
  [20, 20, 22],
];

/** Draws the portrait as RGBA pixels. `grain` adds seeded per-pixel noise (0 = flat colours). */
export function drawFace(width: number, height: number, seed: number, grain = 0): Uint8Array {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const skin = pick(SKIN);
  const hair = pick(HAIR);
  const bg: Rgb = [200 + Math.floor(rnd() * 40), 210 + Math.floor(rnd() * 35), 225 + Math.floor(rnd() * 30)];
  const shirt: Rgb = [Math.floor(rnd() * 80), Math.floor(rnd() * 80), 60 + Math.floor(rnd() * 120)];
  const cx = width / 2;
  const faceCy = height * 0.45;
  const rx = width * (0.24 + rnd() * 0.04);
  const ry = height * (0.25 + rnd() * 0.03);
  const eyeDy = faceCy - ry * 0.15;
  const eyeDx = rx * 0.42;
  const eyeR = Math.max(2, rx * 0.11);
  const mouthY = faceCy + ry * 0.5;
  const noise = prng(seed ^ 0x5eed);
  const out = new Uint8Array(width * height * 4);

  // Shapes as (centre, radii) ellipses; later ones paint over earlier ones.
  type Shape = { x: number; y: number; ax: number; ay: number; c: Rgb; above?: number };
  const darker = (c: Rgb, d: number): Rgb => [c[0] - d, c[1] - d, c[2] - d];
  const shapes: Shape[] = [
    { x: cx, y: height * 1.08, ax: width * 0.48, ay: height * 0.3, c: shirt },
    { x: cx, y: faceCy - ry * 0.18, ax: rx * 1.12, ay: ry * 1.02, c: hair },
    // Face below the fringe line.
    { x: cx, y: faceCy + ry * 0.06, ax: rx, ay: ry * 0.94, c: skin, above: faceCy - ry * 0.55 },
    { x: cx - rx, y: faceCy, ax: rx * 0.12, ay: ry * 0.16, c: darker(skin, 10) },
    { x: cx + rx, y: faceCy, ax: rx * 0.12, ay: ry * 0.16, c: darker(skin, 10) },
  ];
  for (const side of [-1, 1]) {
    const ex = cx + side * eyeDx;
    shapes.push(
      { x: ex, y: eyeDy - eyeR * 2.2, ax: eyeR * 1.6, ay: eyeR * 0.35, c: hair }, // eyebrow
      { x: ex, y: eyeDy, ax: eyeR * 1.5, ay: eyeR, c: [250, 250, 250] },
      { x: ex, y: eyeDy, ax: eyeR * 0.65, ay: eyeR * 0.65, c: [60, 40, 30] },
      { x: ex, y: eyeDy, ax: eyeR * 0.3, ay: eyeR * 0.3, c: [10, 10, 10] },
    );
  }
  shapes.push({ x: cx, y: mouthY, ax: rx * 0.32, ay: ry * 0.07, c: [170, 70, 70] });
  const neck = darker(skin, 18);
  const nose = darker(skin, 40);

  for (let y = 0; y < height; y++) {
    const shade = y / height;
    for (let x = 0; x < width; x++) {
      let c: Rgb = [bg[0] - shade * 30, bg[1] - shade * 30, bg[2] - shade * 20];
      for (let k = 0; k < shapes.length; k++) {
        const s = shapes[k]!;
        if (k === 1 && Math.abs(x - cx) < rx * 0.42 && y > faceCy && y < height * 0.86) c = neck; // neck under hair
        if (s.above !== undefined && y <= s.above) continue;
        const dx = (x - s.x) / s.ax;
        const dy = (y - s.y) / s.ay;
        if (dx * dx + dy * dy <= 1) c = s.c;
      }
      if (Math.abs(x - cx) < rx * 0.04 && y > eyeDy && y < mouthY - ry * 0.22) c = nose;
      // Specimen band: diagonal hatching along the bottom edge marks the image as synthetic.
      if (y > height * 0.93 && (x + y) % 12 < 6) c = [200, 30, 30];
      const g = grain ? (noise() - 0.5) * grain : 0;
      const i = (y * width + x) * 4;
      out[i] = clamp(c[0] + g);
      out[i + 1] = clamp(c[1] + g);
      out[i + 2] = clamp(c[2] + g);
      out[i + 3] = 255;
    }
  }
  return out;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

export function encodeJpeg(rgba: Uint8Array, width: number, height: number, quality: number): Uint8Array {
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, quality).data);
}

const CACHE = new Map<string, Uint8Array>();

/**
 * A JPEG of the synthetic face whose size is close to `targetBytes`: binary search on the quality, adding grain when
 * even high quality stays too small (flat cartoons compress very well). Deterministic for the same arguments.
 */
export function faceJpeg(width: number, height: number, seed: number, targetBytes: number): Uint8Array {
  const key = `${width}x${height}/${seed}/${targetBytes}`;
  const hit = CACHE.get(key);
  if (hit) return hit;
  let best: Uint8Array | undefined;
  for (const grain of [0, 12, 28, 60, 110]) {
    const rgba = drawFace(width, height, seed, grain);
    let lo = 5;
    let hi = 95;
    let under: Uint8Array | undefined;
    while (lo <= hi) {
      const q = (lo + hi) >> 1;
      const img = encodeJpeg(rgba, width, height, q);
      if (img.length <= targetBytes) {
        under = img;
        lo = q + 1;
      } else hi = q - 1;
    }
    const candidate = under ?? encodeJpeg(rgba, width, height, 5);
    if (!best || Math.abs(candidate.length - targetBytes) < Math.abs(best.length - targetBytes)) best = candidate;
    if (candidate.length >= targetBytes * 0.9 || !under) break;
  }
  CACHE.set(key, best!);
  return best!;
}

export interface FaceImageData {
  /** 'jp2': a JP2 file; 'j2k': a raw JPEG 2000 codestream (both are image data type 01 in ISO 19794-5). */
  format: 'jpeg' | 'jp2' | 'j2k';
  width: number;
  height: number;
  data: Uint8Array;
}

const JP2_SIGNATURE = Uint8Array.of(0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a);

/** The boxes of a JP2 file (ISO/IEC 15444-1 §I.4): type, start and length; only the 4-byte LBox form is written. */
function jp2Box(jp2: Uint8Array, from: number, to: number, wanted: string): { at: number; length: number } {
  if (!JP2_SIGNATURE.every((b, i) => jp2[i] === b)) throw new RangeError('not a JP2 file (signature box missing)');
  const view = new DataView(jp2.buffer, jp2.byteOffset, jp2.byteLength);
  for (let p = from; p + 8 <= to; ) {
    const len = view.getUint32(p);
    if (String.fromCharCode(...jp2.subarray(p + 4, p + 8)) === wanted) return { at: p, length: len };
    if (len < 8) break;
    p += len;
  }
  throw new RangeError(`JP2 box ${wanted} missing`);
}

/** Width and height from the JP2 header box ('jp2h' → 'ihdr': HEIGHT then WIDTH, ISO/IEC 15444-1 I.5.3.1). */
export function jp2Dimensions(jp2: Uint8Array): { width: number; height: number } {
  const view = new DataView(jp2.buffer, jp2.byteOffset, jp2.byteLength);
  const jp2h = jp2Box(jp2, 0, jp2.length, 'jp2h');
  const ihdr = jp2Box(jp2, jp2h.at + 8, jp2h.at + jp2h.length, 'ihdr');
  return { height: view.getUint32(ihdr.at + 8), width: view.getUint32(ihdr.at + 12) };
}

/**
 * The raw codestream (SOC FF4F … EOC FFD9) inside the JP2 file's contiguous codestream box 'jp2c' (15444-1
 * §I.5.4): what a DG2 carries when its JPEG 2000 image is a bare J2K codestream rather than a JP2 file.
 */
export function jp2Codestream(jp2: Uint8Array): Uint8Array {
  const { at, length } = jp2Box(jp2, 0, jp2.length, 'jp2c');
  return jp2.subarray(at + 8, length === 0 ? jp2.length : at + length);
}

/** The committed JPEG 2000 fixture (see profiles/assets/README.md); OpenJPEG is not needed at run time. */
export const JP2_FIXTURE = new URL('../../profiles/assets/face-240x320.jp2', import.meta.url);

let jp2Cache: Uint8Array | undefined;
function jp2Fixture(): Uint8Array {
  jp2Cache ??= new Uint8Array(readFileSync(JP2_FIXTURE));
  return jp2Cache;
}

/**
 * The face image of a profile: a synthetic JPEG sized so the whole DG2 lands near `targetBytes`, the JP2 fixture,
 * or the fixture's bare codestream. `overhead` is what DG2 adds around the image.
 */
export function faceImage(
  face: { width: number; height: number; seed: number; format: 'jpeg' | 'jp2' | 'j2k'; targetBytes: number },
  overhead: number,
): FaceImageData {
  if (face.format === 'jp2' || face.format === 'j2k') {
    const jp2 = jp2Fixture();
    const data = face.format === 'jp2' ? jp2 : jp2Codestream(jp2);
    return { format: face.format, ...jp2Dimensions(jp2), data };
  }
  const data = faceJpeg(face.width, face.height, face.seed, Math.max(500, face.targetBytes - overhead));
  return { format: 'jpeg', width: face.width, height: face.height, data };
}
