/**
 * The ATR (ISO/IEC 7816-3 §8.2) and its historical bytes. Contactless readers build the ATR from the ATS or ATQB
 * (PC/SC part 3 §3.1.3.2.3); when the historical bytes are a compact-TLV list (category 80), the card capabilities
 * (ISO/IEC 7816-4 §8.1.1.2.7) say whether the chip claims SFI selection, command chaining and extended length.
 */
import { hex } from '../codec/bytes.js';

export interface CardCapabilities {
  /** Selection methods: 'DF name', 'partial DF name', 'path', 'FID', 'implicit DF', 'SFI'. */
  selection: string[];
  commandChaining?: boolean;
  extendedLength?: boolean;
}

export interface AtrProfile {
  /** The whole ATR, upper-case hex. */
  hex: string;
  historicalBytes: string;
  /** Protocols the interface bytes name, e.g. ['T=1']. */
  protocols: string[];
  cardCapabilities?: CardCapabilities;
  /** False when the interface bytes run past the end (the fields above are then best effort). */
  wellFormed: boolean;
}

const SELECTION: [number, string][] = [
  [0x80, 'DF name'],
  [0x40, 'partial DF name'],
  [0x20, 'path'],
  [0x10, 'FID'],
  [0x08, 'implicit DF'],
  [0x04, 'SFI'],
];

function compactTlv(hist: Uint8Array): CardCapabilities | undefined {
  if (hist[0] !== 0x80) return undefined;
  for (let p = 1; p < hist.length; ) {
    const tag = hist[p]! >> 4;
    const len = hist[p]! & 0x0f;
    const v = hist.subarray(p + 1, p + 1 + len);
    if (v.length < len) return undefined;
    if (tag === 7 && len >= 1) {
      const caps: CardCapabilities = { selection: SELECTION.filter(([bit]) => v[0]! & bit).map(([, n]) => n) };
      if (len >= 3) {
        caps.commandChaining = (v[2]! & 0x80) !== 0;
        caps.extendedLength = (v[2]! & 0x40) !== 0;
      }
      return caps;
    }
    p += 1 + len;
  }
  return undefined;
}

export function parseAtr(atr: Uint8Array): AtrProfile {
  const up = (b: Uint8Array) => hex(b).toUpperCase();
  const k = (atr[1] ?? 0) & 0x0f;
  const protocols = new Set<string>();
  let y = (atr[1] ?? 0) >> 4;
  let p = 2;
  let wellFormed = atr.length >= 2;
  while (y) {
    for (const bit of [1, 2, 4]) if (y & bit) p++;
    if (!(y & 8)) break;
    const td = atr[p];
    if (td === undefined) {
      wellFormed = false;
      break;
    }
    protocols.add(`T=${td & 0x0f}`);
    y = td >> 4;
    p++;
  }
  const hist = atr.subarray(p, p + k);
  if (hist.length < k) wellFormed = false;
  const out: AtrProfile = { hex: up(atr), historicalBytes: up(hist), protocols: [...protocols], wellFormed };
  const caps = compactTlv(hist);
  if (caps) out.cardCapabilities = caps;
  return out;
}
