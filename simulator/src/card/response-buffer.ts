import { type CommandApdu, SW } from './apdu.js';
import type { ChipBehaviour } from './chip-behaviour.js';
import type { Outcome } from './outcome.js';

/** Length of the protected answer for a data field of `dataLength` bytes, when secure messaging is active. */
export type ProtectedLength = (dataLength: number, oddIns: boolean) => number;

/**
 * Lc/Ne limits of the link and the chip's response buffer (ISO 7816-4 §5.1; chip option ne-cap). The link limits
 * are what a PC/SC reader would carry; a ne-cap is the chip's own buffer, which the reader has to discover from
 * the chip's answers.
 */
export class ResponseBuffer {
  readonly maxLc: number;
  readonly maxNe: number;

  constructor(
    private readonly behaviour: Readonly<Pick<ChipBehaviour, 'neCap' | 'shortLe00'>>,
    extendedLength: boolean | number | undefined,
  ) {
    // A chip buffer above 256 bytes implies extended length; the link then carries up to 65536, so the reader has to
    // discover the chip's cap from its answers, as through a real PC/SC reader.
    const capped = (behaviour.neCap?.max ?? 0) > 256;
    const ext = extendedLength ?? capped;
    this.maxLc = ext === false ? 255 : ext === true ? 65535 : Math.max(255, Math.min(ext, 65535));
    this.maxNe = ext === false ? 256 : ext === true ? 65536 : Math.max(256, Math.min(ext, 65536));
  }

  get extendedLength(): boolean {
    return this.maxNe > 256;
  }

  /** Whether the link refuses this APDU's lengths outright (6700) before the chip looks at it. */
  refusesLengths(apdu: CommandApdu): boolean {
    // With a chip buffer (ne-cap) the command's own Ne rules decide, so READ BINARY can answer as the chip would.
    const neRefused = !this.behaviour.neCap && !this.neAcceptable(apdu.ne);
    return apdu.extended && (!this.extendedLength || apdu.data.length > this.maxLc || neRefused);
  }

  /** Ne = 65536 (Le = 0000) means "as much as you can"; an explicit Ne above the chip's buffer is refused. */
  neAcceptable(ne: number): boolean {
    return ne <= this.maxNe || ne === 65536;
  }

  /** Whether a response data field of this many bytes (protected, under SM) fits the chip's buffer (ne-cap). */
  fits(length: number): boolean {
    const cap = this.behaviour.neCap;
    return !cap || length <= cap.max;
  }

  /** Room for the protected answer of an SM command: its own Ne, else what its Le encoding allows. */
  room(outer: CommandApdu): number {
    return outer.ne || (outer.extended ? this.maxNe : 256);
  }

  /** Ne a READ BINARY is served with, or the refusal (ne-cap, short-le00); see CHIP_OPTIONS for the rules. */
  readLength(apdu: CommandApdu, protectedLength: ProtectedLength | undefined): number | Outcome {
    if (this.behaviour.shortLe00 === 'refused' && !apdu.extended && apdu.ne === 256) return { sw: SW.WRONG_LENGTH };
    const cap = this.behaviour.neCap;
    if (!cap) return this.neAcceptable(apdu.ne) ? Math.min(apdu.ne, this.maxNe) : { sw: SW.WRONG_LENGTH };
    if (apdu.ne === 0) return 0;
    const fits = largestFittingNe(cap.max, apdu.ins === 0xb1, protectedLength);
    // Ne maximum (extended Le 0000) asks for all available bytes (ISO 7816-4 §5.1): the chip sends what fits.
    if (apdu.ne === 65536 || apdu.ne <= fits) return Math.min(apdu.ne, fits);
    switch (cap.overflow) {
      case 'cut':
        return fits;
      case '6a86':
        return { sw: SW.INCORRECT_P1P2 };
      case '6cxx':
        // 6Cxx can only name a short length: an extended request gets 6700.
        return apdu.extended || fits > 255 ? { sw: SW.WRONG_LENGTH } : { sw: SW.WRONG_LE | fits };
      default:
        return { sw: SW.WRONG_LENGTH };
    }
  }
}

/** Largest Ne whose answer fits the buffer: under SM the protected answer (DO'87' + DO'99' + DO'8E') must fit. */
function largestFittingNe(max: number, odd: boolean, protectedLength: ProtectedLength | undefined): number {
  if (!protectedLength) return max;
  let n = max;
  while (n > 0 && protectedLength(n, odd) > max) n--;
  return n;
}
