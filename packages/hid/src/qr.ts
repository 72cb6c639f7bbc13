/**
 * Recognising a CCCD front-side QR in a stream of scans (`ID12|CMND9|name|DDMMYYYY|sex|address|DDMMYYYY`,
 * docs/reference/vn-cccd.md §4): the assembler uses it to tell a whole payload from a fragment cut by a premature
 * Enter. Parsing and key derivation are the core's (`parseCccdQr`, `candidateKeys` in @cccd/emrtd).
 */

/** A complete payload: 12 digits, a '|', and at least six separators in all. */
export const CCCD_QR = /^\d{12}\|/;
export const CCCD_QR_MIN_SEPARATORS = 6;

export const separatorCount = (text: string) => text.split('|').length - 1;

export function looksLikeCccdQr(text: string): boolean {
  return CCCD_QR.test(text) && separatorCount(text) >= CCCD_QR_MIN_SEPARATORS;
}
