/**
 * DG2 (ICAO 9303-10 §4.7.2): encoded face. CBEFF biometric information group template 7F61 holding one 7F60 per
 * image, each with a biometric header template (A1) and a biometric data block (5F2E, or 7F2E when enciphered).
 * The data block is an ISO/IEC 19794-5:2005 facial record ('FAC\0'), whose image is JPEG or JPEG 2000.
 */

import { children, expectTag, findChild, LIMITS, latin1Text, malformed, readRoot, readUint } from '../asn1/der.js';
import type { Tlv } from '../codec/tlv.js';
import { detectImageFormat, IMAGE_MIME, type ImageFormat } from './image.js';

/** Biometric header template (9303-10 table 38); multi-byte items kept raw, small codes as numbers. */
export interface BiometricHeader {
  icaoHeaderVersion?: Uint8Array;
  biometricType?: number;
  biometricSubtype?: number;
  creationDateTime?: Uint8Array;
  validityPeriod?: Uint8Array;
  creator?: Uint8Array;
  formatOwner?: number;
  formatType?: number;
}

export interface FeaturePoint {
  type: number;
  /** Major code in the high nibble, minor code in the low nibble (19794-5 §5.6.3). */
  code: number;
  x: number;
  y: number;
}

export interface FaceImage {
  /** 0 unspecified, 1 male, 2 female, 0xFF unknown. */
  gender: number;
  eyeColour: number;
  hairColour: number;
  featureMask: number;
  expression: number;
  /** Yaw, pitch, roll codes. */
  poseAngle: [number, number, number];
  poseAngleUncertainty: [number, number, number];
  featurePoints: FeaturePoint[];
  faceImageType: number;
  /** 0 = JPEG, 1 = JPEG 2000 as declared by the record. */
  imageDataType: number;
  width: number;
  height: number;
  colourSpace: number;
  sourceType: number;
  deviceType: number;
  quality: number;
  /** Detected from the image bytes (not from imageDataType). */
  format: ImageFormat;
  mimeType: string;
  image: Uint8Array;
  /** Absolute offset of the image bytes in DG2. */
  imageOffset: number;
}

export interface FacialRecord {
  /** e.g. '010'. */
  version: string;
  recordLength: number;
  images: FaceImage[];
}

export interface BiometricInfo {
  header: BiometricHeader;
  bdbTag: number;
  /** The biometric data block as stored. */
  bdb: Uint8Array;
  /** Absent when the block is not an ISO 19794-5 record (e.g. enciphered or ISO 39794). */
  facialRecord?: FacialRecord;
}

export interface Dg2 {
  /** The count stored in 7F61/02 (may disagree with `biometrics.length` on faulty chips). */
  declaredInstances: number;
  biometrics: BiometricInfo[];
  /** Every face image of every record, in order. */
  faces: FaceImage[];
}

const FILE = 'DG2';
const GENERAL_HEADER = 14;
const RECORD_HEADER = 20;
const FEATURE_POINT = 8;
const IMAGE_INFO = 12;

const uint = (v: Uint8Array) => v.reduce((n, b) => n * 256 + b, 0);

function readHeader(t: Tlv, file: string): BiometricHeader {
  const h: BiometricHeader = {};
  for (const k of children(t, file)) {
    const small = k.length > 0 && k.length <= 4 ? uint(k.value) : undefined;
    if (k.tag === 0x80) h.icaoHeaderVersion = k.value;
    else if (k.tag === 0x81 && small !== undefined) h.biometricType = small;
    else if (k.tag === 0x82 && small !== undefined) h.biometricSubtype = small;
    else if (k.tag === 0x83) h.creationDateTime = k.value;
    else if (k.tag === 0x85) h.validityPeriod = k.value;
    else if (k.tag === 0x86) h.creator = k.value;
    else if (k.tag === 0x87 && small !== undefined) h.formatOwner = small;
    else if (k.tag === 0x88 && small !== undefined) h.formatType = small;
  }
  return h;
}

/** Reads one 19794-5 facial record at `p` of the data block; `base` is the block's absolute offset. */
function readFaceImage(d: Uint8Array, p: number, base: number, file: string): { face: FaceImage; end: number } {
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  if (p + RECORD_HEADER > d.length) throw malformed(file, base + p, 'truncated facial record header');
  const length = view.getUint32(p);
  const points = view.getUint16(p + 4);
  const fixed = RECORD_HEADER + points * FEATURE_POINT + IMAGE_INFO;
  if (length < fixed || length > d.length - p) throw malformed(file, base + p, 'facial record length out of range');
  const featurePoints: FeaturePoint[] = [];
  for (let i = 0; i < points; i++) {
    const q = p + RECORD_HEADER + i * FEATURE_POINT;
    featurePoints.push({ type: d[q]!, code: d[q + 1]!, x: view.getUint16(q + 2), y: view.getUint16(q + 4) });
  }
  const ii = p + RECORD_HEADER + points * FEATURE_POINT;
  const image = d.subarray(ii + IMAGE_INFO, p + length);
  const format = detectImageFormat(image);
  const face: FaceImage = {
    gender: d[p + 6]!,
    eyeColour: d[p + 7]!,
    hairColour: d[p + 8]!,
    featureMask: (d[p + 9]! << 16) | view.getUint16(p + 10),
    expression: view.getUint16(p + 12),
    poseAngle: [d[p + 14]!, d[p + 15]!, d[p + 16]!],
    poseAngleUncertainty: [d[p + 17]!, d[p + 18]!, d[p + 19]!],
    featurePoints,
    faceImageType: d[ii]!,
    imageDataType: d[ii + 1]!,
    width: view.getUint16(ii + 2),
    height: view.getUint16(ii + 4),
    colourSpace: d[ii + 6]!,
    sourceType: d[ii + 7]!,
    deviceType: view.getUint16(ii + 8),
    quality: view.getUint16(ii + 10),
    format,
    mimeType: IMAGE_MIME[format],
    image,
    imageOffset: base + ii + IMAGE_INFO,
  };
  return { face, end: p + length };
}

/** Parses an ISO/IEC 19794-5 'FAC\0' block; undefined when the block has another format. */
export function parseFacialRecord(d: Uint8Array, file = FILE, base = 0): FacialRecord | undefined {
  if (d.length < 4 || d[0] !== 0x46 || d[1] !== 0x41 || d[2] !== 0x43 || d[3] !== 0) return undefined;
  if (d.length < GENERAL_HEADER) throw malformed(file, base, 'truncated facial record general header');
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const recordLength = view.getUint32(8);
  if (recordLength < GENERAL_HEADER || recordLength > d.length)
    throw malformed(file, base + 8, 'facial record length out of range');
  const count = view.getUint16(12);
  if (count > LIMITS.maxElements) throw malformed(file, base + 12, 'too many facial images');
  const block = d.subarray(0, recordLength);
  const images: FaceImage[] = [];
  let p = GENERAL_HEADER;
  for (let i = 0; i < count; i++) {
    const { face, end } = readFaceImage(block, p, base, file);
    images.push(face);
    p = end;
  }
  return { version: latin1Text(d.subarray(4, 7)), recordLength, images };
}

function readBiometric(t: Tlv, file: string): BiometricInfo {
  const kids = children(t, file);
  const header = readHeader(expectTag(findChild(kids, 0xa1), 0xa1, file, t.offset), file);
  const block = findChild(kids, 0x5f2e) ?? findChild(kids, 0x7f2e);
  if (!block) throw malformed(file, t.offset, 'missing biometric data block 5F2E/7F2E');
  const info: BiometricInfo = { header, bdbTag: block.tag, bdb: block.value };
  const record = parseFacialRecord(block.value, file, block.offset + block.headerLength);
  if (record) info.facialRecord = record;
  return info;
}

export function parseDg2(bytes: Uint8Array): Dg2 {
  const root = readRoot(bytes, FILE, 0x75);
  const group = expectTag(findChild(children(root, FILE), 0x7f61), 0x7f61, FILE, root.offset);
  const kids = children(group, FILE);
  const declaredInstances = readUint(findChild(kids, 0x02), FILE, group.offset);
  const biometrics = kids.filter((k) => k.tag === 0x7f60).map((k) => readBiometric(k, FILE));
  return { declaredInstances, biometrics, faces: biometrics.flatMap((b) => b.facialRecord?.images ?? []) };
}
