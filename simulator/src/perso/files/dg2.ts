import { concat, tlv, u16, u32, utf8 } from '@cccd/emrtd/codec';
import type { FaceImageData } from '../face.js';

export interface Dg2Options {
  /** ISO 19794-5 gender: 'M' → 1, 'F' → 2. */
  sex?: 'M' | 'F';
}

/** Bytes DG2 adds around the image: 75/7F61/02/7F60/A1/5F2E headers and the 46-byte ISO 19794-5 headers. */
export function dg2Overhead(imageLength: number): number {
  return buildDg2({ format: 'jpeg', width: 1, height: 1, data: new Uint8Array(imageLength) }).length - imageLength;
}

/**
 * ISO/IEC 19794-5:2005 facial record: general header ('FAC\0', '010\0', record length, 1 image), one facial
 * information block (no feature points), image information, then the image.
 */
export function facialRecord(image: FaceImageData, options: Dg2Options = {}): Uint8Array {
  const imageInfo = concat(
    Uint8Array.of(0x01), // face image type: full frontal
    Uint8Array.of(image.format === 'jpeg' ? 0x00 : 0x01), // image data type: JPEG / JPEG 2000
    u16(image.width),
    u16(image.height),
    Uint8Array.of(0x01), // colour space: sRGB
    Uint8Array.of(0x02), // source type: static photo from a digital still camera
    u16(0x0000), // device type: unspecified
    u16(0x0000), // quality: unspecified
  );
  const faceInfoLength = 20 + imageInfo.length + image.data.length;
  const faceInfo = concat(
    u32(faceInfoLength),
    u16(0), // feature points
    Uint8Array.of(options.sex === 'M' ? 1 : options.sex === 'F' ? 2 : 0),
    Uint8Array.of(0x00), // eye colour unspecified
    Uint8Array.of(0x00), // hair colour unspecified
    Uint8Array.of(0x00, 0x00, 0x00), // property mask
    u16(0x0000), // expression unspecified
    Uint8Array.of(0, 0, 0), // pose angle
    Uint8Array.of(0, 0, 0), // pose angle uncertainty
  );
  const header = concat(utf8('FAC\0'), utf8('010\0'), u32(14 + faceInfoLength), u16(1));
  return concat(header, faceInfo, imageInfo, image.data);
}

/**
 * DG2 = 75 { 7F61 { 02 count=1, 7F60 { A1 biometric header template, 5F2E facial record } } } (ICAO 9303-10 §4.7.2).
 * Header: 80 ICAO header version 0101, 81 biometric type 02 (face), 87 format owner 0101, 88 format type 0008.
 */
export function buildDg2(image: FaceImageData, options: Dg2Options = {}): Uint8Array {
  const bht = tlv(
    0xa1,
    tlv(0x80, Uint8Array.of(0x01, 0x01)),
    tlv(0x81, Uint8Array.of(0x02)),
    tlv(0x87, Uint8Array.of(0x01, 0x01)),
    tlv(0x88, Uint8Array.of(0x00, 0x08)),
  );
  const bit = tlv(0x7f60, bht, tlv(0x5f2e, facialRecord(image, options)));
  return tlv(0x75, tlv(0x7f61, tlv(0x02, Uint8Array.of(1)), bit));
}
