/**
 * JPEG 2000 → pixels, bounded: the header (header.ts) is checked against the limits and against what the decoder
 * renders before OpenJPEG sees a byte, so a hostile DG2 claiming 60000×60000 pixels gets a typed error, not an
 * out-of-memory. The decode itself is synchronous; its time is bounded by the pixel, tile and input limits.
 */
import { MalformedData } from '../errors.js';
import { Jpeg2000Unsupported } from './errors.js';
import { type Jpeg2000Header, readJpeg2000Header } from './header.js';
import { withDecoder } from './openjpeg.js';

export interface Jpeg2000Limits {
  /**
   * Width × height. Default 2 000 000 (e.g. 1200 × 1600); an ICAO face is typically under 500 000. The decode
   * runs synchronously at roughly 1.5 µs per pixel (wasm2js, measured), so this also bounds its time.
   */
  maxPixels?: number;
  /** Tiles on the grid (each costs the decoder memory before any pixel). Default 1024. */
  maxTiles?: number;
  /** Size of the encoded image. Default 4 MiB. */
  maxInputBytes?: number;
}

export interface Jpeg2000Options extends Jpeg2000Limits {
  /** What errors name as the source (default 'JPEG 2000 image'), e.g. 'DG2'. */
  source?: string;
}

export const JPEG2000_LIMITS: Readonly<Required<Jpeg2000Limits>> = {
  maxPixels: 2_000_000,
  maxTiles: 1024,
  maxInputBytes: 4 * 1024 * 1024,
};

export interface DecodedImage {
  width: number;
  height: number;
  /** 1: greyscale, 3: RGB (OpenJPEG applies the inverse component transform and sYCC → RGB). */
  channels: 1 | 3;
  /** Bits per sample in the codestream, 1..16. */
  bitDepth: number;
  /** Interleaved samples, row by row: a Uint8Array up to 8 bits, a Uint16Array above. */
  samples: Uint8Array | Uint16Array;
}

const DEFAULT_SOURCE = 'JPEG 2000 image';

/** Refuses, before decoding, what the limits exclude and what the decoder cannot render correctly. */
export function checkDecodable(header: Jpeg2000Header, limits: Jpeg2000Limits = {}): void {
  const { maxPixels, maxTiles } = { ...JPEG2000_LIMITS, ...limits };
  const { width, height, components } = header;
  if (width * height > maxPixels)
    throw new Jpeg2000Unsupported('too-large', `${width}×${height} pixels exceed the limit of ${maxPixels}`);
  if (header.tiles > maxTiles)
    throw new Jpeg2000Unsupported('too-large', `${header.tiles} tiles exceed the limit of ${maxTiles}`);
  if (header.palette) throw new Jpeg2000Unsupported('palette', 'palette images (JP2 pclr box) are not decoded');
  // The decoder renders greyscale or colour: 2 or 4 components (an alpha channel) or more it cannot lay out.
  if (components.length !== 1 && components.length !== 3)
    throw new Jpeg2000Unsupported('components', `${components.length} components (only 1 or 3 are decoded)`);
  if (components.some((c) => c.signed)) throw new Jpeg2000Unsupported('signed', 'signed samples are not decoded');
  const depth = components[0]!.bitDepth;
  if (depth > 16 || components.some((c) => c.bitDepth !== depth))
    throw new Jpeg2000Unsupported('bit-depth', 'components must share one bit depth of at most 16');
  if (components.some((c) => c.dx !== 1 || c.dy !== 1))
    throw new Jpeg2000Unsupported('subsampling', 'subsampled components are not decoded');
  if (header.offsetX !== 0 || header.offsetY !== 0)
    throw new Jpeg2000Unsupported('image-offset', 'an image offset on the reference grid is not decoded');
}

/** Little-endian 16-bit samples (the decoder's layout above 8 bits) into a Uint16Array on any host. */
function uint16le(bytes: Uint8Array): Uint16Array {
  const out = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/**
 * Decodes a JP2 file or a raw J2K codestream (the two forms a DG2 face takes). Throws MalformedData when the
 * headers do not hold or the codestream does not decode, Jpeg2000Unsupported for what the limits or the decoder
 * exclude. Messages carry header numbers and offsets, never image bytes.
 */
export async function decodeJpeg2000(bytes: Uint8Array, options: Jpeg2000Options = {}): Promise<DecodedImage> {
  const source = options.source ?? DEFAULT_SOURCE;
  const maxInputBytes = options.maxInputBytes ?? JPEG2000_LIMITS.maxInputBytes;
  if (bytes.length > maxInputBytes)
    throw new Jpeg2000Unsupported('too-large', `${bytes.length} bytes exceed the limit of ${maxInputBytes}`);
  const header = readJpeg2000Header(bytes, source);
  checkDecodable(header, options);
  const { width, height } = header;
  const channels = header.components.length as 1 | 3;
  const bitDepth = header.components[0]!.bitDepth;
  const sampleBytes = bitDepth > 8 ? 2 : 1;
  const undecodable = (cause?: unknown) =>
    new MalformedData(source, header.codestreamOffset, 'the codestream does not decode', { cause });
  let decoded: Uint8Array;
  try {
    decoded = await withDecoder((decoder) => {
      decoder.getEncodedBuffer(bytes.length).set(bytes);
      try {
        decoder.decode();
      } finally {
        // A portrait is personal data: its copy in the module's memory is zeroed (a fresh view: memory may grow).
        decoder.getEncodedBuffer(bytes.length).fill(0);
      }
      const frame = decoder.getFrameInfo();
      // OpenJPEG reports a failed decode as an empty frame; anything but the frame SIZ declared is refused too.
      if (frame.width !== width || frame.height !== height || frame.componentCount !== channels) throw undecodable();
      if (frame.bitsPerSample !== bitDepth || frame.isSigned) throw undecodable();
      return new Uint8Array(decoder.getDecodedBuffer());
    });
  } catch (e) {
    if (e instanceof MalformedData || e instanceof Jpeg2000Unsupported) throw e;
    // Emscripten throws C++ exceptions as bare numbers (pointers): nothing to carry.
    throw undecodable(e instanceof Error ? e : undefined);
  }
  if (decoded.length !== width * height * channels * sampleBytes) throw undecodable();
  return { width, height, channels, bitDepth, samples: sampleBytes === 2 ? uint16le(decoded) : decoded };
}
