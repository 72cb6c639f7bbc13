/**
 * The JPEG 2000 headers that bound a decode before any decoder runs: the JP2 box structure (ISO/IEC 15444-1 Annex I)
 * and the codestream's image and tile size marker SIZ (15444-1 §A.5.1). A DG2 face (ICAO 9303-10 §4.7.2, ISO/IEC
 * 19794-5) carries either a JP2 file or a raw codestream; both are read here.
 */
import { LIMITS } from '../asn1/der.js';
import { MalformedData } from '../errors.js';

export interface Jpeg2000Header {
  /** 'jp2': a JP2 file (signature box, then boxes); 'j2k': a raw codestream (SOC FF4F first). */
  container: 'jp2' | 'j2k';
  /** Where the codestream (its SOC marker) starts in the input. */
  codestreamOffset: number;
  /** Image area: Xsiz − XOsiz by Ysiz − YOsiz. */
  width: number;
  height: number;
  /** Image offset on the reference grid (XOsiz, YOsiz). */
  offsetX: number;
  offsetY: number;
  /** Per component (Csiz of them). */
  components: Jpeg2000Component[];
  /** Number of tiles on the grid. */
  tiles: number;
  /** True when the JP2 header box holds a palette box ('pclr', 15444-1 §I.5.3.4). */
  palette: boolean;
}

export interface Jpeg2000Component {
  /** Ssiz: bit depth 1..38. */
  bitDepth: number;
  /** Ssiz high bit: samples are signed. */
  signed: boolean;
  /** XRsiz, YRsiz: horizontal and vertical subsampling. */
  dx: number;
  dy: number;
}

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const SOC_SIZ = [0xff, 0x4f, 0xff, 0x51];
/** Lsiz for Csiz components: 38 fixed bytes plus 3 per component (15444-1 Table A.9). */
const sizLength = (components: number) => 38 + 3 * components;
const MAX_COMPONENTS = 16384;

const at = (bytes: Uint8Array, p: number, sig: number[]) => sig.every((b, i) => bytes[p + i] === b);
const boxType = (bytes: Uint8Array, p: number) => String.fromCharCode(...bytes.subarray(p + 4, p + 8));

interface Box {
  type: string;
  start: number;
  /** Where the box content starts (after LBox, TBox and XLBox). */
  content: number;
  end: number;
}

/** The boxes of [from, to): LBox 0 runs to `to`, LBox 1 takes an 8-byte XLBox (15444-1 §I.4). */
function boxes(bytes: Uint8Array, from: number, to: number, source: string): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Box[] = [];
  for (let p = from; p < to; ) {
    if (out.length >= LIMITS.maxElements) throw new MalformedData(source, p, 'too many JP2 boxes');
    if (p + 8 > to) throw new MalformedData(source, p, 'truncated JP2 box header');
    const lbox = view.getUint32(p);
    let header = 8;
    let length = lbox;
    if (lbox === 1) {
      if (p + 16 > to) throw new MalformedData(source, p, 'truncated JP2 box header');
      header = 16;
      length = view.getUint32(p + 8) * 2 ** 32 + view.getUint32(p + 12);
    } else if (lbox === 0) length = to - p;
    if (length < header || length > to - p) throw new MalformedData(source, p, 'JP2 box length out of range');
    out.push({ type: boxType(bytes, p), start: p, content: p + header, end: p + length });
    p += length;
  }
  return out;
}

/** The JP2 file's codestream box and whether its header box declares a palette. */
function jp2Codestream(bytes: Uint8Array, source: string): { offset: number; end: number; palette: boolean } {
  const top = boxes(bytes, JP2_SIGNATURE.length, bytes.length, source);
  const jp2h = top.find((b) => b.type === 'jp2h');
  const jp2c = top.find((b) => b.type === 'jp2c');
  if (!jp2h) throw new MalformedData(source, JP2_SIGNATURE.length, 'JP2 header box (jp2h) missing');
  if (!jp2c) throw new MalformedData(source, JP2_SIGNATURE.length, 'contiguous codestream box (jp2c) missing');
  const palette = boxes(bytes, jp2h.content, jp2h.end, source).some((b) => b.type === 'pclr');
  return { offset: jp2c.content, end: jp2c.end, palette };
}

/** SIZ at `p` (15444-1 §A.5.1): the image and tile grid, and each component's depth, sign and subsampling. */
function readSiz(bytes: Uint8Array, p: number, end: number, source: string) {
  if (!at(bytes, p, SOC_SIZ) || p + 4 > end) throw new MalformedData(source, p, 'codestream does not start SOC, SIZ');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (p + 42 > end) throw new MalformedData(source, p, 'truncated SIZ marker segment');
  const u32 = (k: number) => view.getUint32(p + 8 + k);
  const [xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz] = [0, 4, 8, 12, 16, 20, 24, 28].map(u32) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const csiz = view.getUint16(p + 40);
  const lsiz = view.getUint16(p + 4);
  if (csiz < 1 || csiz > MAX_COMPONENTS || lsiz !== sizLength(csiz))
    throw new MalformedData(source, p + 4, 'SIZ length and component count disagree');
  if (p + 4 + lsiz > end) throw new MalformedData(source, p, 'truncated SIZ marker segment');
  // Grid constraints of Table A.9 / equations A-1: a non-empty image, a tile grid that covers its origin.
  if (xosiz >= xsiz || yosiz >= ysiz || xtsiz === 0 || ytsiz === 0)
    throw new MalformedData(source, p + 8, 'SIZ image or tile size out of range');
  if (xtosiz > xosiz || ytosiz > yosiz || xtosiz + xtsiz <= xosiz || ytosiz + ytsiz <= yosiz)
    throw new MalformedData(source, p + 32, 'SIZ tile grid does not cover the image origin');
  const components: Jpeg2000Component[] = [];
  for (let i = 0; i < csiz; i++) {
    const q = p + 42 + 3 * i;
    const ssiz = bytes[q]!;
    const dx = bytes[q + 1]!;
    const dy = bytes[q + 2]!;
    if ((ssiz & 0x7f) > 37 || dx === 0 || dy === 0) throw new MalformedData(source, q, 'SIZ component out of range');
    components.push({ bitDepth: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0, dx, dy });
  }
  const tiles = Math.ceil((xsiz - xtosiz) / xtsiz) * Math.ceil((ysiz - ytosiz) / ytsiz);
  return { width: xsiz - xosiz, height: ysiz - yosiz, offsetX: xosiz, offsetY: yosiz, components, tiles };
}

/**
 * Reads the container and the SIZ of a JP2 file or a raw J2K codestream. Throws MalformedData for anything that is
 * neither, or whose structure does not hold; the offsets are into `bytes`, the reasons name structure only.
 */
export function readJpeg2000Header(bytes: Uint8Array, source = 'JPEG 2000 image'): Jpeg2000Header {
  if (at(bytes, 0, JP2_SIGNATURE)) {
    const { offset, end, palette } = jp2Codestream(bytes, source);
    return { container: 'jp2', codestreamOffset: offset, ...readSiz(bytes, offset, end, source), palette };
  }
  if (at(bytes, 0, SOC_SIZ))
    return { container: 'j2k', codestreamOffset: 0, ...readSiz(bytes, 0, bytes.length, source), palette: false };
  throw new MalformedData(source, 0, 'neither a JP2 file nor a JPEG 2000 codestream');
}
