import { EmrtdError } from '@cccd/emrtd';
import { readTlvs, type Tlv } from '@cccd/emrtd/codec';
import { type CommandApdu, SW } from '../apdu.js';
import type { ChipBehaviour } from '../chip-behaviour.js';
import type { CardImage } from '../image.js';
import type { Outcome } from '../outcome.js';
import { internalAuthenticate } from './aa-command.js';
import { getChallenge, mutualAuthenticate } from './bac-commands.js';
import { chipAuthenticationStep, mseChipAuthentication, mseKeyAgreementTemplate } from './ca-commands.js';
import { msePace, paceStep } from './pace-commands.js';
import { AttemptCounter, type EmrtdContext, EmrtdSession } from './session.js';

/**
 * The eMRTD application's security commands (ICAO 9303-11): BAC, PACE, Chip Authentication and Active
 * Authentication over one session. The contactless card hands it every command it does not answer itself (SELECT
 * and READ BINARY are the file system's), already unwrapped when it came under secure messaging.
 */
export class EmrtdApplication {
  readonly session = new EmrtdSession();
  private readonly ctx: EmrtdContext;

  constructor(
    image: CardImage,
    behaviour: Readonly<ChipBehaviour>,
    random: (n: number) => Uint8Array,
    maxWrongAttempts: number | undefined,
  ) {
    checkFilesMatch(image, behaviour);
    this.ctx = { image, behaviour, random, session: this.session, attempts: new AttemptCounter(maxWrongAttempts) };
  }

  dispatch(apdu: CommandApdu, secure: boolean, chained: boolean): Outcome {
    switch (apdu.ins) {
      case 0x84:
        return getChallenge(this.ctx, apdu);
      case 0x82:
        return mutualAuthenticate(this.ctx, apdu);
      case 0x22:
        return this.manageSecurityEnvironment(apdu, secure);
      case 0x86:
        return this.generalAuthenticate(apdu, secure, chained);
      case 0x88:
        return internalAuthenticate(this.ctx, apdu, secure);
      default:
        return { sw: SW.INS_NOT_SUPPORTED };
    }
  }

  /** MSE by P1-P2: C1A4 Set AT for PACE, 41A4 Set AT for CA, 41A6 Set KAT (CA with 3DES). */
  private manageSecurityEnvironment(apdu: CommandApdu, secure: boolean): Outcome {
    let dos: Tlv[];
    try {
      dos = readTlvs(apdu.data, 'MSE');
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    const get = (tag: number) => dos.find((d) => d.tag === tag)?.value;
    switch ((apdu.p1 << 8) | apdu.p2) {
      case 0xc1a4:
        return msePace(this.ctx, get(0x80), get(0x83), get(0x84));
      case 0x41a4:
        return mseChipAuthentication(this.ctx, secure, get(0x80), get(0x84));
      case 0x41a6:
        return mseKeyAgreementTemplate(this.ctx, secure, get(0x91), get(0x84));
      default:
        return { sw: SW.INCORRECT_P1P2 };
    }
  }

  /** GENERAL AUTHENTICATE continues whichever protocol the last MSE started: a PACE run, or CA. */
  private generalAuthenticate(apdu: CommandApdu, secure: boolean, chained: boolean): Outcome {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    const content = dynamicAuthenticationData(apdu.data);
    if (!content) return { sw: SW.WRONG_DATA };
    const { pace, caPending } = this.session;
    if (pace && !pace.finished) return paceStep(this.ctx, pace, content, chained);
    if (caPending) return chipAuthenticationStep(this.ctx, content, secure, chained);
    return { sw: SW.CONDITIONS_NOT_SATISFIED };
  }
}

/** The content of the one DO'7C' (dynamic authentication data) a GENERAL AUTHENTICATE carries. */
function dynamicAuthenticationData(data: Uint8Array): Uint8Array | undefined {
  try {
    const dos = readTlvs(data, 'GENERAL AUTHENTICATE');
    return dos.length === 1 && dos[0]!.tag === 0x7c ? dos[0]!.value : undefined;
  } catch {
    return undefined;
  }
}

/** File-changing options are personalisation options: a card image without them cannot grow or lose files here. */
function checkFilesMatch(image: CardImage, behaviour: ChipBehaviour): void {
  const mismatch =
    behaviour.ca.kind === 'not-advertised' && image.chipAuthentication
      ? 'ca=not-advertised'
      : behaviour.aa.kind === 'absent' && image.activeAuthentication
        ? 'aa=absent'
        : undefined;
  if (mismatch)
    throw new EmrtdError(
      'invalid-argument',
      `chip option ${mismatch} changes the card's files: personalise the card with it (this image has the key)`,
      { step: 'chip-option' },
    );
}
