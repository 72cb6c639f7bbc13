import { type CommandApdu, SW } from '../apdu.js';
import type { CryptoWork } from '../link.js';
import { type Outcome, refusal } from '../outcome.js';
import { activeAuthenticate } from './active-auth.js';
import type { EmrtdContext } from './session.js';

/** INTERNAL AUTHENTICATE (ICAO 9303-11 §6.1): signs the 8-byte RND.IFD, only under SM. */
export function internalAuthenticate(ctx: EmrtdContext, apdu: CommandApdu, secure: boolean): Outcome {
  const key = ctx.image.activeAuthentication;
  if (!key) return { sw: SW.INS_NOT_SUPPORTED };
  if (ctx.behaviour.aa.kind === 'refuse') return refusal(ctx.behaviour.aa.sw, secure);
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
  if (apdu.data.length !== 8) return { sw: SW.WRONG_LENGTH };
  const signature = activeAuthenticate(key, apdu.data, ctx.random);
  if (!signature) return { sw: SW.CONDITIONS_NOT_SATISFIED };
  if (apdu.ne !== 0 && apdu.ne < signature.length) return { sw: SW.WRONG_LENGTH };
  const work: CryptoWork =
    key.type === 'RSA'
      ? { kind: 'rsa', bits: signature.length * 8 }
      : { kind: 'ec', bits: signature.length * 4, operations: 1 };
  return { sw: SW.OK, data: signature, work };
}
