/** Image container detection by signature, for DG2 / DG7 / DG11 / DG12 images. */

export type ImageFormat = 'jpeg' | 'jpeg2000' | 'j2k' | 'unknown';

export const IMAGE_MIME: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  jpeg2000: 'image/jp2',
  j2k: 'image/j2k',
  unknown: 'application/octet-stream',
};

const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b);

/** JPEG (FFD8FF), JPEG 2000 JP2 file (signature box 0000000C 6A502020) or raw J2K codestream (FF4FFF51). */
export function detectImageFormat(bytes: Uint8Array): ImageFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jpeg2000';
  if (startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) return 'j2k';
  return 'unknown';
}
