/** DG7 (ICAO 9303-10 §4.7.7): displayed signature or usual mark, one or more images in tag 5F43. */
import { children, findChild, readRoot, readUint } from '../asn1/der.js';
import { detectImageFormat, IMAGE_MIME, type ImageFormat } from './image.js';

export interface DisplayedImage {
  format: ImageFormat;
  mimeType: string;
  image: Uint8Array;
  /** Absolute offset of the image bytes in the file. */
  imageOffset: number;
}

export interface Dg7 {
  declaredInstances: number;
  images: DisplayedImage[];
}

const FILE = 'DG7';

export function parseDg7(bytes: Uint8Array): Dg7 {
  const root = readRoot(bytes, FILE, 0x67);
  const kids = children(root, FILE);
  const declaredInstances = readUint(findChild(kids, 0x02), FILE, root.offset);
  const images = kids
    .filter((k) => k.tag === 0x5f43)
    .map((k) => {
      const format = detectImageFormat(k.value);
      return { format, mimeType: IMAGE_MIME[format], image: k.value, imageOffset: k.offset + k.headerLength };
    });
  return { declaredInstances, images };
}
