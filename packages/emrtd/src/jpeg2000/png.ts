/**
 * Decoded JPEG 2000 → PNG (ISO/IEC 15948), the lossless format every browser shows, written by fast-png. The PNG
 * is 8 bits per sample: what screens show, half the size of 16; other depths are rescaled to the full 0..255 range.
 */
import { encode } from 'fast-png';
import { type DecodedImage, decodeJpeg2000, type Jpeg2000Options } from './decode.js';

export interface PngImage {
  mimeType: 'image/png';
  png: Uint8Array;
  width: number;
  height: number;
}

/** Samples of `bitDepth` bits rescaled to 8 (rounded), as a new array; 8-bit samples are returned as they are. */
export function toEightBit(samples: Uint8Array | Uint16Array, bitDepth: number): Uint8Array {
  if (bitDepth === 8 && samples instanceof Uint8Array) return samples;
  const max = 2 ** bitDepth - 1;
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.round((Math.min(samples[i]!, max) * 255) / max);
  return out;
}

/** Encodes decoded pixels as an 8-bit greyscale or RGB PNG. */
export function encodePng(image: DecodedImage): Uint8Array {
  const data = toEightBit(image.samples, image.bitDepth);
  return encode({ width: image.width, height: image.height, data, channels: image.channels, depth: 8 });
}

/** A JP2 file or J2K codestream as a PNG a browser can show; errors as decodeJpeg2000. */
export async function jpeg2000ToPng(bytes: Uint8Array, options: Jpeg2000Options = {}): Promise<PngImage> {
  const image = await decodeJpeg2000(bytes, options);
  return { mimeType: 'image/png', png: encodePng(image), width: image.width, height: image.height };
}
