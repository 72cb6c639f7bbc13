/**
 * Windows Alt+numpad input, as wedge scanners use it for characters that have no key (Vietnamese diacritics):
 *   Alt+0NNN (leading zero, ≤255)  → the ANSI code page (Windows-1252 on a US system, Windows-1258 in Vietnam)
 *   Alt+NNN  (no leading zero, ≤255) → the OEM code page (437 on a US system)
 *   Alt+N > 255                     → a Unicode code point (what scanners' "Unicode Alt" output relies on; RichEdit
 *                                      and Word accept it, plain Win32 edit controls reduce it modulo 256)
 *   Alt, keypad '+', hex digits     → a Unicode code point (needs EnableHexNumpad=1 on the host)
 * `altCodes: 'unicode'` reads every decimal value as a code point, for scanners that send Alt+233 for 'é'.
 */

export type AltCodeMode = 'windows' | 'unicode';
export type AnsiCodePage = 'windows-1252' | 'windows-1258';

/** Code page 437, bytes 0x80-0xFF. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const MAX_DIGITS = 7;

/** A code point as a string, or undefined for NUL, surrogates and values beyond U+10FFFF. */
export function fromCodePoint(cp: number): string | undefined {
  if (!Number.isInteger(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  return String.fromCodePoint(cp);
}

/** Bytes 0x80-0x9F, where both Windows code pages leave Latin-1; '\ufffd' marks unassigned bytes. */
const C1 = {
  'windows-1252':
    '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd' +
    '\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178',
  'windows-1258':
    '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\ufffd\u2039\u0152\ufffd\ufffd\ufffd' +
    '\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\ufffd\u203a\u0153\ufffd\ufffd\u0178',
} as const;

/** Windows-1258 departs from Latin-1 above 0xBF for Vietnamese letters and combining tone marks. */
const CP1258_HIGH: Readonly<Record<number, string>> = {
  195: '\u0102',
  204: '\u0300',
  208: '\u0110',
  210: '\u0309',
  213: '\u01a0',
  221: '\u01af',
  222: '\u0303',
  227: '\u0103',
  236: '\u0301',
  240: '\u0111',
  242: '\u0323',
  245: '\u01a1',
  253: '\u01b0',
  254: '\u20ab',
};

// Tables rather than TextDecoder: Node's fast path has decoded 'windows-1252' as Latin-1 in some releases.
function singleByte(byte: number, codePage: AnsiCodePage): string | undefined {
  if (byte < 0x80) return fromCodePoint(byte);
  const ch =
    byte < 0xa0
      ? C1[codePage][byte - 0x80]
      : ((codePage === 'windows-1258' ? CP1258_HIGH[byte] : undefined) ?? String.fromCharCode(byte));
  return ch === '\ufffd' ? undefined : ch;
}

/** Decodes the decimal digits typed while Alt was held. */
export function decodeAltDecimal(
  digits: string,
  mode: AltCodeMode = 'windows',
  ansi: AnsiCodePage = 'windows-1252',
): string | undefined {
  if (digits.length === 0 || digits.length > MAX_DIGITS || !/^\d+$/.test(digits)) return undefined;
  const value = Number.parseInt(digits, 10);
  if (mode === 'unicode' || value > 0xff) return fromCodePoint(value);
  if (digits.startsWith('0')) return singleByte(value, ansi);
  return value < 0x80 ? fromCodePoint(value) : CP437_HIGH[value - 0x80];
}

/** Decodes the hex digits typed after Alt + keypad '+' or Ctrl+Shift+U. */
export function decodeHexCodePoint(hex: string): string | undefined {
  if (hex.length === 0 || hex.length > 6 || !/^[0-9a-f]+$/i.test(hex)) return undefined;
  return fromCodePoint(Number.parseInt(hex, 16));
}
