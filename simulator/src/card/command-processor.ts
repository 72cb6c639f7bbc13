import { type CommandApdu, parseCommandApdu, response, SW } from './apdu.js';
import type { ChipBehaviour } from './chip-behaviour.js';
import type { EmrtdApplication } from './emrtd/application.js';
import { isSecureMessagingCla } from './emrtd/secure-messaging.js';
import type { FaultState } from './fault-state.js';
import type { FileSystem } from './file-system.js';
import type { CryptoWork } from './link.js';
import { isSmError, type Outcome, refusal } from './outcome.js';
import type { ResponseBuffer } from './response-buffer.js';

export type Processed = { bytes: Uint8Array; work?: CryptoWork } | 'removed';

export interface CardParts {
  readonly behaviour: Readonly<ChipBehaviour>;
  readonly fs: FileSystem;
  readonly buffer: ResponseBuffer;
  readonly faults: FaultState;
  readonly app: EmrtdApplication;
  /** The tag leaves the field (a tag-loss fault during a read). */
  remove(reason: string): void;
}

/**
 * ISO/IEC 7816-4 command processing of the contactless card: APDU decoding, CLA checks, the secure-messaging
 * envelope (§10, with the application's session keys), the response buffer, then SELECT and READ BINARY on the
 * file system and every other command to the eMRTD application.
 */
export class CommandProcessor {
  constructor(private readonly card: CardParts) {}

  process(raw: Uint8Array): Processed {
    const parsed = parseCommandApdu(raw);
    if (!parsed.ok) return { bytes: response(parsed.sw) };
    const outer = parsed.apdu;
    if (this.card.buffer.refusesLengths(outer)) return { bytes: response(SW.WRONG_LENGTH) };
    if (outer.cla === 0xff || (outer.cla & 0xe0) !== 0) return { bytes: response(SW.CLA_NOT_SUPPORTED) };
    if (outer.cla & 0x03) return { bytes: response(SW.LOGICAL_CHANNEL_NOT_SUPPORTED) };
    return isSecureMessagingCla(outer.cla) ? this.processSecure(outer) : this.processPlain(outer);
  }

  private processPlain(apdu: CommandApdu): Processed {
    const session = this.card.app.session;
    // TR-03110-3 §F: a plain APDU ends secure messaging; the chip then refuses it.
    if (session.sm) {
      session.end();
      return { bytes: response(SW.SECURITY_STATUS_NOT_SATISFIED) };
    }
    const out = this.dispatch(apdu, false);
    if (out.removed) return 'removed';
    if (out.abortSecureMessaging) session.end();
    if (out.data && !this.card.buffer.fits(out.data.length))
      return { bytes: response(SW.WRONG_LENGTH), work: out.work };
    out.after?.();
    return { bytes: response(out.sw, out.data), work: out.work };
  }

  private processSecure(outer: CommandApdu): Processed {
    const session = this.card.app.session;
    const sm = session.sm;
    if (!sm) return { bytes: response(SW.SM_DATA_INCORRECT) };
    const unwrapped = sm.unwrapCommand(outer);
    if (!unwrapped.ok) {
      session.end();
      return { bytes: response(unwrapped.sw) };
    }
    const out = this.dispatch(unwrapped.apdu, true);
    if (out.removed) return 'removed';
    if (out.abortSecureMessaging) {
      session.end();
      return { bytes: response(out.sw) };
    }
    const odd = (outer.ins & 1) === 1;
    let data = out.data ?? new Uint8Array(0);
    let sw = out.sw;
    const length = sm.protectedLength(data.length, odd);
    if (length > this.card.buffer.room(outer) || !this.card.buffer.fits(length)) {
      data = new Uint8Array(0);
      sw = SW.WRONG_LENGTH;
    }
    if (this.card.behaviour.smErrors === 'plain' && isError(sw)) {
      // Some chips answer every error in clear and drop the session (real-chip note in docs/simulator.md §7).
      session.end();
      return { bytes: response(sw), work: out.work };
    }
    const faults = this.card.faults.onSmResponse();
    if (faults.skipSsc) sm.skipSsc();
    const bytes = sm.wrapResponse(sw, data, odd, { corruptMac: faults.corruptMac });
    if (sw === SW.OK || sw === SW.END_OF_FILE) out.after?.();
    return { bytes, work: out.work };
  }

  private dispatch(apdu: CommandApdu, secure: boolean): Outcome {
    const injected = this.card.faults.injectedSw(apdu.ins);
    if (injected !== undefined) return { sw: injected, abortSecureMessaging: secure && isSmError(injected) };
    const chained = (apdu.cla & 0x10) !== 0;
    // Only GENERAL AUTHENTICATE (PACE) is chained on an eMRTD.
    if (chained && apdu.ins !== 0x86) return { sw: SW.CHAINING_NOT_SUPPORTED };
    switch (apdu.ins) {
      case 0xa4:
        return this.card.fs.select(apdu);
      case 0xb0:
      case 0xb1:
        return this.readBinary(apdu, secure);
      default:
        return this.card.app.dispatch(apdu, secure, chained);
    }
  }

  private readBinary(apdu: CommandApdu, secure: boolean): Outcome {
    const { behaviour, buffer, fs, faults } = this.card;
    if (behaviour.sfi.kind === 'refused' && usesShortEfId(apdu)) return refusal(behaviour.sfi.sw, secure);
    const sm = this.card.app.session.sm;
    const ne = buffer.readLength(apdu, sm && ((n, odd) => sm.protectedLength(n, odd)));
    if (typeof ne !== 'number') return ne;
    const plan = fs.planRead({ ...apdu, ne }, secure);
    if (!('fid' in plan)) return plan;
    const fileBytes = plan.odd ? plan.data.length - 2 : plan.data.length;
    if (faults.tagLossInRead(plan.fid, plan.offset, fileBytes)) {
      this.card.remove('tag-loss-at-offset');
      return { sw: 0, removed: true };
    }
    return { sw: plan.sw, data: plan.data };
  }
}

/** Error status words: everything but 9000 and the 61xx/62xx/63xx process-completed family. */
function isError(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw !== SW.OK && sw1 !== 0x61 && sw1 !== 0x62 && sw1 !== 0x63;
}

/** READ BINARY naming its EF by short identifier: B0 with P1 b8 set, or B1 with P1-P2 = 0001…001F. */
function usesShortEfId(apdu: CommandApdu): boolean {
  if (apdu.ins === 0xb0) return (apdu.p1 & 0x80) !== 0;
  const p1p2 = (apdu.p1 << 8) | apdu.p2;
  return p1p2 > 0 && p1p2 <= 0x1f;
}
