/**
 * What a contactless reader learns from the card before any APDU: the ISO/IEC 14443 UID and the ATS historical
 * bytes, which a PC/SC reader turns into an ATR.
 */

/**
 * ATS historical bytes: category 80 (compact-TLV), card capabilities 73 = selection by full DF name, FID and
 * SFI (94, or 90 without SFI); data coding 01; command chaining (80) and, when enabled, extended Lc/Le (40)
 * (ISO 7816-4 §8.1.1.2.7).
 */
export function defaultHistoricalBytes(sfiSupported: boolean, extendedLength: boolean): Uint8Array {
  return Uint8Array.of(0x80, 0x73, sfiSupported ? 0x94 : 0x90, 0x01, extendedLength ? 0xc0 : 0x80);
}

/** PC/SC ATR of a contactless card (PC/SC part 3 §3.1.3.2.3): 3B 8n 80 01 ‖ historical bytes ‖ TCK. */
export function contactlessAtr(historicalBytes: Uint8Array): Uint8Array {
  const hist = historicalBytes.subarray(0, 15);
  const body = Uint8Array.of(0x3b, 0x80 | hist.length, 0x80, 0x01, ...hist);
  let tck = 0;
  for (let i = 1; i < body.length; i++) tck ^= body[i]!;
  return Uint8Array.of(...body, tck);
}

/** A random UID as eMRTDs use them (ISO 14443-3: first byte 08 = random ID), new on each activation. */
export function randomUid(random: (n: number) => Uint8Array): Uint8Array {
  const r = random(3);
  return Uint8Array.of(0x08, r[0] ?? 0, r[1] ?? 0, r[2] ?? 0);
}
