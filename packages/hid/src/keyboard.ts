/**
 * Keyboard-wedge decoding of boot-protocol keyboard reports (HID 1.11 appendix B): `[modifiers, reserved, k1..k6]`.
 * A character is typed when its key appears in a report it was absent from, so the all-zero key-up report a scanner
 * sends after every key, and a key held across consecutive reports, type it once. Enter ends a scan.
 * Non-ASCII arrives as Alt+numpad codes (see alt-codes.ts) or as Ctrl+Shift+U, hex digits, space/Enter (the
 * GTK/IBus Unicode entry some scanners offer for Linux hosts).
 */
import { type AltCodeMode, type AnsiCodePage, decodeAltDecimal, decodeHexCodePoint } from './alt-codes.js';
import type { DecoderEvent, ReportDecoder } from './decoder.js';
import { hexDigit, isEnter, keypadDigit, MOD, USAGE, usageToChar } from './usages.js';

export interface KeyboardDecoderOptions {
  /** How decimal Alt codes ≤ 255 are read; default 'windows'. */
  altCodes?: AltCodeMode;
  /** The host's ANSI code page for Alt+0NNN; default 'windows-1252'. */
  ansiCodePage?: AnsiCodePage;
  /**
   * Report ID prefix. hidapi puts the report ID first only for devices with numbered reports; by default a 9-byte
   * report is taken as ID + boot report.
   */
  reportId?: number;
}

interface AltEntry {
  digits: string;
  hex: boolean;
}

const MAX_ENTRY = 8;
const MAX_REPORT = 64;

export class KeyboardDecoder implements ReportDecoder {
  readonly mode = 'keyboard' as const;
  private held = new Set<number>();
  private alt: AltEntry | undefined;
  /** Hex digits of a Ctrl+Shift+U entry in progress. */
  private unicode: string | undefined;

  constructor(private readonly options: KeyboardDecoderOptions = {}) {}

  get busy(): boolean {
    return this.alt !== undefined || this.unicode !== undefined;
  }

  reset(): void {
    this.held.clear();
    this.alt = undefined;
    this.unicode = undefined;
  }

  push(report: Uint8Array): DecoderEvent[] {
    const boot = this.bootReport(report);
    if (!boot) return [];
    const mods = boot[0]!;
    const keys = [...boot.subarray(2)].filter((k) => k !== 0);
    // ErrorRollOver: the keyboard lost track of its keys; the report carries no key state.
    if (keys.includes(USAGE.ERROR_ROLL_OVER)) return [];
    const pressed = keys.filter((k) => !this.held.has(k));
    this.held = new Set(keys);

    const out = new Output();
    if (this.alt && !(mods & MOD.ALT)) this.finishAlt(out);
    for (const usage of pressed) this.press(usage, mods, out);
    return out.done;
  }

  private bootReport(report: Uint8Array): Uint8Array | undefined {
    if (!(report instanceof Uint8Array) || report.length < 3 || report.length > MAX_REPORT) return undefined;
    const id = this.options.reportId;
    if (id !== undefined) return report[0] === id && report.length >= 4 ? report.subarray(1) : undefined;
    return report.length === 9 ? report.subarray(1) : report;
  }

  private press(usage: number, mods: number, out: Output): void {
    if (this.unicode !== undefined) this.unicodeKey(usage, out);
    else if (mods & MOD.ALT) this.altKey(usage);
    else if (mods & MOD.CTRL) {
      // Ctrl+letter types control characters, which a payload never contains; only the Unicode entry matters.
      if (mods & MOD.SHIFT && usage === USAGE.A + 20) this.unicode = '';
    } else if (mods & MOD.GUI) {
      // GUI chords are OS shortcuts, not text.
    } else if (isEnter(usage)) out.end();
    else {
      const ch = usageToChar(usage, (mods & MOD.SHIFT) !== 0);
      if (ch !== undefined) out.chars(ch);
    }
  }

  private altKey(usage: number): void {
    this.alt ??= { digits: '', hex: false };
    const entry = this.alt;
    if (entry.digits.length >= MAX_ENTRY) return;
    if (!entry.hex && entry.digits === '' && usage === USAGE.KP_PLUS) {
      entry.hex = true;
      return;
    }
    const d = entry.hex ? hexDigit(usage) : keypadDigit(usage);
    // Alt+letter is a menu shortcut, not text: it spoils the entry rather than being typed.
    entry.digits += d >= 0 ? d.toString(16) : 'x';
  }

  private finishAlt(out: Output): void {
    const { digits, hex } = this.alt!;
    this.alt = undefined;
    const ch = hex
      ? decodeHexCodePoint(digits)
      : decodeAltDecimal(digits, this.options.altCodes, this.options.ansiCodePage);
    if (ch !== undefined) out.chars(ch);
  }

  private unicodeKey(usage: number, out: Output): void {
    const entry = this.unicode!;
    if (usage === USAGE.SPACE || isEnter(usage)) {
      this.unicode = undefined;
      const ch = decodeHexCodePoint(entry);
      if (ch !== undefined) out.chars(ch);
      return;
    }
    const d = hexDigit(usage);
    this.unicode = d >= 0 && entry.length < MAX_ENTRY ? entry + d.toString(16) : undefined;
  }
}

/** Collects characters so a report yields at most one 'chars' event before each 'end'. */
class Output {
  readonly events: DecoderEvent[] = [];
  private text = '';
  chars(s: string) {
    this.text += s;
  }
  end() {
    this.flush();
    this.events.push({ type: 'end' });
  }
  get done(): DecoderEvent[] {
    this.flush();
    return this.events;
  }
  private flush() {
    if (this.text) this.events.push({ type: 'chars', text: this.text });
    this.text = '';
  }
}
