import type { ChipBehaviour } from '../chip-behaviour.js';
import type { CardImage } from '../image.js';
import type { PaceChipSession } from './pace.js';
import type { SecureMessaging } from './secure-messaging.js';

/**
 * Session state of the eMRTD application: everything power-off, reset, removal or an SM error ends. The
 * wrong-attempt counter is kept apart (AttemptCounter): it survives them, as EEPROM state would.
 */
export class EmrtdSession {
  sm: SecureMessaging | undefined;
  /** RND.IC of the last GET CHALLENGE; single use. */
  challenge: Uint8Array | undefined;
  /** A PACE run between MSE:Set AT and its last GENERAL AUTHENTICATE. */
  pace: PaceChipSession | undefined;
  /** MSE:Set AT for Chip Authentication was accepted: the GENERAL AUTHENTICATE may follow. */
  caPending = false;

  /** Access control or CA succeeded: the new SM session replaces the old one and ends any half-run protocol. */
  start(sm: SecureMessaging): void {
    this.sm = sm;
    this.pace = undefined;
    this.caPending = false;
  }

  /** SM abort (9303-11 §9.8.7): keys and authentication progress go; the selected application stays. */
  end(): void {
    this.sm = undefined;
    this.challenge = undefined;
    this.pace = undefined;
    this.caPending = false;
  }
}

/**
 * Failed BAC/PACE attempts. Blocking is opt-in (CardOptions.maxWrongAttempts): ICAO 9303 mandates no retry counter
 * for MRZ/CAN, and eMRTDs are believed not to block.
 */
export class AttemptCounter {
  private wrong = 0;

  constructor(private readonly max: number | undefined) {}

  get blocked(): boolean {
    return this.max !== undefined && this.wrong >= this.max;
  }

  failed(): void {
    this.wrong++;
  }

  succeeded(): void {
    this.wrong = 0;
  }
}

/** What the application's command handlers work on. */
export interface EmrtdContext {
  readonly image: CardImage;
  readonly behaviour: Readonly<ChipBehaviour>;
  readonly random: (n: number) => Uint8Array;
  readonly session: EmrtdSession;
  readonly attempts: AttemptCounter;
}
