import type { ChipSettingsInput } from './chip-behaviour.js';
import type { Fault } from './faults.js';
import type { LinkOptions } from './link.js';

/** How a SimulatedCard is built: link, faults, chip behaviour and the physical details a test may pin. */
export interface CardOptions {
  /**
   * Extended length support (ISO 7816-4 §5.1): false (default) = short APDUs only, an extended APDU gets 6700;
   * true = Lc/Le up to 65535/65536; a number N = extended APDUs with Lc and Ne up to N.
   */
  extendedLength?: boolean | number;
  link?: LinkOptions;
  /** Fault injections, as objects or `name=value` strings (see FAULTS). */
  faults?: ReadonlyArray<Fault | string>;
  /**
   * Failed BAC/PACE attempts after which the chip answers 6983 (authentication method blocked) to every further
   * attempt, across power cycles. Off by default: ICAO 9303 mandates no retry counter for BAC or PACE with MRZ/CAN,
   * and eMRTDs are believed not to block (some slow down); CAN/MRZ are not secrets worth a lockout. Opt in to test
   * a reader's attempt cap.
   */
  maxWrongAttempts?: number;
  /** Random source (nonces, chip keys, UID, AA filler). Default: crypto.getRandomValues. Seed it to replay vectors. */
  random?: (n: number) => Uint8Array;
  /** A new random UID (08 xx xx xx, ISO 14443-3 random ID) on each activation; default true, as on eMRTDs. */
  uidRandom?: boolean;
  /** Historical bytes of the ATR / ATS; default advertises chaining and, when enabled, extended length. */
  historicalBytes?: Uint8Array;
  /** Upper bound for how long a muted card keeps a transmit pending (ms, default 60 000). */
  muteCapMs?: number;
  /**
   * Chip behaviour options (see CHIP_OPTIONS), as an object or `name=value` strings; they override the card image's
   * own `chip` settings. Options that change files (ca=not-advertised, aa=absent) must match the image: pass them to
   * personalise().
   */
  chip?: ChipSettingsInput;
}
