/**
 * Report generators: what a scanner would send for a string. They let tests (and integrators without hardware)
 * drive the decoders and QrScanner through an injected HidDevice.
 */
import { type HidPosLayout, type HidPosLayoutName, resolveLayout } from './hid-pos.js';
import { charToUsage, MOD, USAGE } from './usages.js';

/** An invented CCCD QR payload (no real person) for demos and tests. */
export const SAMPLE_CCCD_QR =
  '001090012345|123456789|Nguyễn Văn An|15081990|Nam|Số 1 Đường ABC, Phường X, Quận Y, Hà Nội|01022021';

export interface KeyboardReportOptions {
  /** End with Enter (default true). */
  enter?: boolean;
  /** Send the all-zero key-up report after each key (default true, as real scanners do). */
  keyUp?: boolean;
  /** How characters without a key are typed: Windows Alt+numpad (default), Alt+keypad '+' hex, or Ctrl+Shift+U. */
  unicode?: 'alt-decimal' | 'alt-hex' | 'ctrl-shift-u';
}

const report = (mods: number, ...keys: number[]) => {
  const r = new Uint8Array(8);
  r[0] = mods;
  r.set(keys.slice(0, 6), 2);
  return r;
};

const KEYPAD_DIGIT = (d: number) => (d === 0 ? USAGE.KP_ZERO : USAGE.KP_ONE + d - 1);

function hexKey(digit: string): number {
  const v = Number.parseInt(digit, 16);
  if (v >= 10) return USAGE.A + v - 10;
  return v === 0 ? USAGE.ZERO : USAGE.ONE + v - 1;
}

function tap(out: Uint8Array[], mods: number, usage: number, keyUp: boolean, holdMods = 0) {
  out.push(report(mods, usage));
  if (keyUp) out.push(report(holdMods));
}

function altDecimal(cp: number): string {
  // Windows reads Alt+0NNN ≤ 255 in the ANSI code page (Latin-1 from 0xA0) and Alt+N > 255 as a code point.
  return cp <= 0xff ? `0${cp}` : String(cp);
}

function typeUnicode(out: Uint8Array[], cp: number, how: KeyboardReportOptions['unicode'], keyUp: boolean) {
  const alt = MOD.LEFT_ALT;
  if (how === 'ctrl-shift-u') {
    const cs = MOD.LEFT_CTRL | MOD.LEFT_SHIFT;
    tap(out, cs, USAGE.A + 20, true);
    for (const d of cp.toString(16)) tap(out, 0, hexKey(d), keyUp);
    tap(out, 0, USAGE.SPACE, keyUp);
    return;
  }
  out.push(report(alt));
  if (how === 'alt-hex') {
    tap(out, alt, USAGE.KP_PLUS, true, alt);
    for (const d of cp.toString(16)) tap(out, alt, hexKey(d), true, alt);
  } else if (cp >= 0x80 && cp < 0xa0) {
    // C1 controls have no Windows Alt decimal code (0128-0159 are Windows-1252 letters): use the hex entry.
    tap(out, alt, USAGE.KP_PLUS, true, alt);
    for (const d of cp.toString(16)) tap(out, alt, hexKey(d), true, alt);
  } else {
    for (const d of altDecimal(cp)) tap(out, alt, KEYPAD_DIGIT(Number(d)), true, alt);
  }
  out.push(report(0));
}

/** Boot-keyboard reports a US-layout wedge scanner sends for `text`. '\r', '\n' and '\r\n' become Enter. */
export function keyboardReportsFor(text: string, options: KeyboardReportOptions = {}): Uint8Array[] {
  const keyUp = options.keyUp ?? true;
  const out: Uint8Array[] = [];
  for (const ch of text.replace(/\r\n/g, '\r')) {
    if (ch === '\r' || ch === '\n') {
      tap(out, 0, USAGE.ENTER, keyUp);
      continue;
    }
    const key = charToUsage(ch);
    if (key) tap(out, key.shift ? MOD.LEFT_SHIFT : 0, key.usage, keyUp);
    else typeUnicode(out, ch.codePointAt(0)!, options.unicode ?? 'alt-decimal', keyUp);
  }
  if (options.enter ?? true) tap(out, 0, USAGE.ENTER, keyUp);
  return out;
}

export interface HidPosReportOptions {
  layout?: HidPosLayoutName | HidPosLayout;
  /** AIM symbology identifier, for layouts that carry one; default ']Q1' (QR code). */
  aim?: string;
  /** Report size including the report ID; default 64. */
  reportSize?: number;
}

/** HID-POS input reports for a barcode, split over as many reports as the layout needs. */
export function hidPosReportsFor(data: string | Uint8Array, options: HidPosReportOptions = {}): Uint8Array[] {
  const l = resolveLayout(options.layout);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const shift = l.reportId === null ? -1 : 0;
  const size = (options.reportSize ?? 64) + shift;
  const aim = new TextEncoder().encode(options.aim ?? ']Q1');
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || out.length === 0; at += l.maxData) {
    const chunk = bytes.subarray(at, at + l.maxData);
    const r = new Uint8Array(size);
    if (l.reportId !== null) r[0] = l.reportId;
    r[l.lengthOffset + shift] = chunk.length;
    if (l.aimOffset !== undefined) r.set(aim.subarray(0, 3), l.aimOffset + shift);
    r.set(chunk, l.dataOffset + shift);
    if (at + l.maxData < bytes.length) r[l.moreDataOffset + shift]! |= l.moreDataMask;
    out.push(r);
  }
  return out;
}
