/**
 * Link model: how long each exchange would take on an ISO/IEC 14443-4 contactless link. Nothing here sleeps; the
 * applet adds the modelled time to its stats so tests and benchmarks can compare read strategies without waiting.
 *
 * duration = Σ bits on the air / bitrate + turnaround + modelled chip crypto time, where the bits on the air are
 * (command bytes + response bytes + frame overhead × frames) × 8. Frames: ISO 14443-4 splits an APDU into I-blocks
 * of at most FSC/FSD bytes (256 here), each carrying PCB + CRC_A (3 bytes; 4 with a CID byte).
 */

export type BitrateKbps = 106 | 212 | 424 | 848;

export interface LinkOptions {
  /** ISO/IEC 14443 bit rate. 106 kbit/s is the mandatory rate; PC/SC readers and eMRTDs usually agree on 424. */
  bitrateKbps?: BitrateKbps;
  /** Fixed cost per exchange: frame delay time, reader firmware and USB/CCID round trip (ms). */
  turnaroundMs?: number;
  /** Bytes of framing per I-block in each direction (PCB + CRC_A = 3; +1 with CID). */
  frameOverheadBytes?: number;
  /** Largest I-block (FSC/FSD) in bytes. */
  frameSize?: number;
}

/**
 * Defaults. The turnaround of 4 ms is an invented round figure for "reader + USB + chip FWT start" (no public
 * measurement for CCCD chips exists, see docs/reference/anchors-emrtd.md §4); change it per reader when measured.
 */
export const LINK_DEFAULTS: Required<LinkOptions> = {
  bitrateKbps: 424,
  turnaroundMs: 4,
  frameOverheadBytes: 3,
  frameSize: 256,
};

/**
 * Modelled chip crypto costs in milliseconds for a 256-bit curve / 2048-bit RSA / 2048-bit MODP group on a
 * contactless secure controller with a crypto coprocessor. Invented order-of-magnitude constants (public chip
 * datasheets quote 20–150 ms per 256-bit scalar multiplication and 100–400 ms per RSA-2048 CRT signature); they
 * only need to be plausible so that PACE and CA show up as the slow steps they are on real cards.
 */
export const CRYPTO_MS = {
  /** One scalar multiplication on a 256-bit curve; scaled by (bits / 256)². */
  ecScalarMultiplication256: 40,
  /** One modular exponentiation in a 2048-bit group; scaled by (bits / 2048)³. */
  dhExponentiation2048: 120,
  /** One RSA-2048 private-key operation (CRT); scaled by (bits / 2048)³. */
  rsaPrivate2048: 180,
  /** Symmetric work of one step (3DES/AES blocks, MACs, KDF). */
  symmetric: 1,
} as const;

export type CryptoWork =
  | { kind: 'ec'; bits: number; operations: number }
  | { kind: 'dh'; bits: number; operations: number }
  | { kind: 'rsa'; bits: number }
  | { kind: 'symmetric' };

export function cryptoMs(work: CryptoWork): number {
  switch (work.kind) {
    case 'ec':
      return CRYPTO_MS.ecScalarMultiplication256 * (work.bits / 256) ** 2 * work.operations + CRYPTO_MS.symmetric;
    case 'dh':
      return CRYPTO_MS.dhExponentiation2048 * (work.bits / 2048) ** 3 * work.operations + CRYPTO_MS.symmetric;
    case 'rsa':
      return CRYPTO_MS.rsaPrivate2048 * (work.bits / 2048) ** 3;
    case 'symmetric':
      return CRYPTO_MS.symmetric;
  }
}

export interface LinkStats {
  exchanges: number;
  /** Command bytes sent to the card. */
  bytesIn: number;
  /** Response bytes sent by the card. */
  bytesOut: number;
  modelledMs: number;
}

export function emptyStats(): LinkStats {
  return { exchanges: 0, bytesIn: 0, bytesOut: 0, modelledMs: 0 };
}

/** Modelled duration of one exchange (ms). */
export function exchangeMs(link: LinkOptions, commandBytes: number, responseBytes: number, chipMs = 0): number {
  const l = { ...LINK_DEFAULTS, ...link };
  const payload = Math.max(1, l.frameSize - l.frameOverheadBytes);
  const frames = Math.max(1, Math.ceil(commandBytes / payload)) + Math.max(1, Math.ceil(responseBytes / payload));
  const bits = (commandBytes + responseBytes + frames * l.frameOverheadBytes) * 8;
  return bits / l.bitrateKbps + l.turnaroundMs + chipMs;
}
