import { type CommandApdu, SW } from '../apdu.js';
import type { Outcome } from '../outcome.js';
import { bacKeys, bacMutualAuthenticate } from './bac.js';
import type { EmrtdContext } from './session.js';

/** GET CHALLENGE (ICAO 9303-11 §4.3.4.1): an 8-byte RND.IC that the next MUTUAL AUTHENTICATE consumes. */
export function getChallenge(ctx: EmrtdContext, apdu: CommandApdu): Outcome {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (apdu.data.length || apdu.ne !== 8) return { sw: SW.WRONG_LENGTH };
  ctx.session.challenge = ctx.random(8).slice(0, 8);
  return { sw: SW.OK, data: ctx.session.challenge.slice() };
}

/** MUTUAL AUTHENTICATE of BAC (§4.3.4.2): on success the answer goes in clear and SM starts after it. */
export function mutualAuthenticate(ctx: EmrtdContext, apdu: CommandApdu): Outcome {
  if (ctx.image.bac === false) return { sw: SW.INS_NOT_SUPPORTED };
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
  if (ctx.attempts.blocked) return { sw: SW.AUTH_METHOD_BLOCKED };
  const rndIc = ctx.session.challenge;
  ctx.session.challenge = undefined;
  if (!rndIc) return { sw: SW.CONDITIONS_NOT_SATISFIED };
  if (apdu.ne !== 0 && apdu.ne < 40) return { sw: SW.WRONG_LENGTH };
  const r = bacMutualAuthenticate(bacKeys(ctx.image.mrzInformation), rndIc, apdu.data, ctx.random);
  if (!r.ok) {
    if (r.sw === SW.VERIFICATION_FAILED) ctx.attempts.failed();
    return { sw: r.sw };
  }
  ctx.attempts.succeeded();
  return { sw: SW.OK, data: r.data, after: () => ctx.session.start(r.sm), work: { kind: 'symmetric' } };
}
