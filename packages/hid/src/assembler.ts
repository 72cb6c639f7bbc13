/**
 * Turns decoder lines into scans. Pure: the caller passes the time and calls flush() at nextDeadline().
 * - Double scans: scanners repeat a payload (two Enter-terminated bursts, or one burst of the payload twice); an
 *   identical scan seen within `dedupWindowMs` of the last one is dropped.
 * - Premature Enter: a CCCD payload cut short (starts like one, fewer than 6 '|') waits `fragmentWindowMs` for the
 *   rest; fragments are joined without the Enter.
 * - MRZ readers type one line per Enter: lines of 30 (TD1), 36 (TD2) or 44 (TD3) MRZ characters arriving within
 *   `mrzLineWindowMs` of each other are gathered into one MRZ scan. HID-POS delivers them in one scan with CRs.
 */
import { CCCD_QR, looksLikeCccdQr } from './qr.js';

export type ScanKind = 'cccd' | 'mrz' | 'other';

export interface AssembledScan {
  text: string;
  kind: ScanKind;
  /** MRZ lines, for kind 'mrz'. */
  lines?: string[];
}

export interface AssemblerOptions {
  dedupWindowMs?: number;
  fragmentWindowMs?: number;
  mrzLineWindowMs?: number;
}

const MRZ_LINE = /^[A-Z0-9<]+$/;
const MRZ_LINES_BY_LENGTH: Record<number, number> = { 30: 3, 36: 2, 44: 2 };
/** Could this line be the start of a CCCD payload cut by a premature Enter? */
const CCCD_START = /^(\d{1,12}|\d{12}\|.*)$/s;

const isMrzLine = (s: string) => MRZ_LINES_BY_LENGTH[s.length] !== undefined && MRZ_LINE.test(s);

interface Pending {
  kind: 'fragment' | 'mrz';
  parts: string[];
  lastAt: number;
}

export class ScanAssembler {
  private readonly dedupWindowMs: number;
  private readonly fragmentWindowMs: number;
  private readonly mrzLineWindowMs: number;
  private pending: Pending | undefined;
  private last: { text: string; at: number } | undefined;

  constructor(options: AssemblerOptions = {}) {
    this.dedupWindowMs = options.dedupWindowMs ?? 1500;
    this.fragmentWindowMs = options.fragmentWindowMs ?? 100;
    this.mrzLineWindowMs = options.mrzLineWindowMs ?? 300;
  }

  /** When flush() should run next, if something is waiting. */
  nextDeadline(): number | undefined {
    if (!this.pending) return undefined;
    return this.pending.lastAt + (this.pending.kind === 'mrz' ? this.mrzLineWindowMs : this.fragmentWindowMs);
  }

  /** A line the decoder ended (Enter / last HID-POS report). */
  line(raw: string, now: number): AssembledScan[] {
    const text = raw.replace(/[\r\n]+$/, '');
    const out = this.flush(now);
    if (text === '') return out;
    const p = this.pending;
    if (p?.kind === 'fragment' && !CCCD_QR.test(text)) {
      const joined = p.parts.join('') + text;
      if (CCCD_START.test(joined)) {
        this.pending = undefined;
        return [...out, ...this.candidate(joined, now)];
      }
    }
    if (p?.kind === 'mrz' && isMrzLine(text) && text.length === p.parts[0]!.length) {
      p.parts.push(text);
      p.lastAt = now;
      if (p.parts.length < MRZ_LINES_BY_LENGTH[text.length]!) return out;
      this.pending = undefined;
      return [...out, ...this.complete(p.parts.join('\n'), now, p.parts)];
    }
    return [...out, ...this.release(now), ...this.candidate(text, now)];
  }

  /** Emits what has waited past its window. */
  flush(now: number): AssembledScan[] {
    const deadline = this.nextDeadline();
    return deadline !== undefined && now >= deadline ? this.release(now) : [];
  }

  reset(): void {
    this.pending = undefined;
    this.last = undefined;
  }

  /** Whatever is pending is emitted as it stands. */
  private release(now: number): AssembledScan[] {
    const p = this.pending;
    if (!p) return [];
    this.pending = undefined;
    return this.complete(p.parts.join(p.kind === 'mrz' ? '\n' : ''), now);
  }

  private candidate(text: string, now: number): AssembledScan[] {
    const lines = text.split(/\r\n?|\n/).filter((l) => l !== '');
    if (lines.length > 1 && lines.every(isMrzLine) && lines.length === MRZ_LINES_BY_LENGTH[lines[0]!.length]) {
      if (lines.every((l) => l.length === lines[0]!.length)) return this.complete(lines.join('\n'), now, lines);
    }
    if (lines.length === 1 && isMrzLine(text)) {
      this.pending = { kind: 'mrz', parts: [text], lastAt: now };
      return [];
    }
    if (CCCD_START.test(text) && !looksLikeCccdQr(text)) {
      this.pending = { kind: 'fragment', parts: [text], lastAt: now };
      return [];
    }
    return this.complete(text, now);
  }

  private complete(text: string, now: number, mrzLines?: string[]): AssembledScan[] {
    const scan = undoubled(text);
    const seen = this.last;
    this.last = { text: scan, at: now };
    if (seen && seen.text === scan && now - seen.at <= this.dedupWindowMs) return [];
    if (mrzLines && mrzLines.length === MRZ_LINES_BY_LENGTH[mrzLines[0]!.length]) {
      return [{ text: scan, kind: 'mrz', lines: mrzLines }];
    }
    return [{ text: scan, kind: looksLikeCccdQr(scan) ? 'cccd' : 'other' }];
  }
}

/** A CCCD payload sent twice in one burst (no Enter in between) is one payload. */
function undoubled(text: string): string {
  if (text.length % 2 !== 0) return text;
  const half = text.slice(0, text.length / 2);
  return half + half === text && looksLikeCccdQr(half) ? half : text;
}
