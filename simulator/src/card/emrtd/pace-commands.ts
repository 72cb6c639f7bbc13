import { bytesToBig, digest, parsePaceOid, utf8 } from '@cccd/emrtd/codec';
import { SW } from '../apdu.js';
import type { PaceConfig } from '../image.js';
import type { CryptoWork } from '../link.js';
import type { Outcome } from '../outcome.js';
import { decodeOidContent } from './oid-codec.js';
import { PACE_PASSWORD, PaceChipSession, paceConfigSupported } from './pace.js';
import type { EmrtdContext } from './session.js';
import { keyAgreementWork } from './work.js';

/**
 * MSE:Set AT for PACE (ICAO 9303-11 §4.4.4.1): tag 80 the protocol OID, 83 the password reference, 84 the domain
 * parameter ID when EF.CardAccess offers more than one. Starts a PACE run with the card's MRZ or CAN password.
 */
export function msePace(
  ctx: EmrtdContext,
  oidBytes?: Uint8Array,
  passwordRef?: Uint8Array,
  paramId?: Uint8Array,
): Outcome {
  ctx.session.pace = undefined;
  if (!oidBytes || !passwordRef || passwordRef.length !== 1) return { sw: SW.WRONG_DATA };
  const oid = decodeOidContent(oidBytes);
  const protocol = oid === undefined ? undefined : parsePaceOid(oid);
  if (!protocol) return { sw: SW.WRONG_DATA };
  if (paramId && paramId.length !== 1) return { sw: SW.WRONG_DATA };
  const config = ctx.image.pace.find(
    (c: PaceConfig) =>
      c.keyAgreement === protocol.keyAgreement &&
      c.mapping === protocol.mapping &&
      c.cipher === protocol.cipher &&
      (paramId === undefined || c.parameterId === paramId[0]),
  );
  if (!config || !paceConfigSupported(config)) return { sw: SW.WRONG_DATA };
  const camKey = config.mapping === 'CAM' ? chipAuthenticationMappingKey(ctx) : undefined;
  if (config.mapping === 'CAM' && camKey === undefined) return { sw: SW.WRONG_DATA };
  const password = pacePassword(ctx, passwordRef[0]!);
  if ('sw' in password) return password;
  if (ctx.attempts.blocked) return { sw: SW.AUTH_METHOD_BLOCKED };
  ctx.session.pace = new PaceChipSession(
    config,
    password.bytes,
    ctx.random,
    undefined,
    camKey,
    ctx.behaviour.paceCamIv,
  );
  ctx.session.caPending = false;
  return { sw: SW.OK };
}

/**
 * SK_IC for PACE-CAM: the personalised static key, or (chip option pace-cam=wrong-key, a clone that does not hold
 * the key EF.CardSecurity names) a different one, so CA_IC · PK_IC no longer gives PK_Map,IC.
 */
function chipAuthenticationMappingKey(ctx: EmrtdContext): bigint | undefined {
  const key = ctx.image.chipAuthenticationMapping;
  if (!key) return undefined;
  const sk = bytesToBig(key.privateKey);
  return ctx.behaviour.paceCam.kind === 'wrong-key' ? sk + 1n : sk;
}

/** The password a reference names (§4.4.4.1): MRZ = SHA-1 of MRZ_information, CAN as digits; no PIN/PUK here. */
function pacePassword(ctx: EmrtdContext, reference: number): { bytes: Uint8Array } | { sw: number } {
  const paceMrz = ctx.behaviour.paceMrz;
  switch (reference) {
    case PACE_PASSWORD.MRZ:
      if (paceMrz.kind === 'refused') return { sw: paceMrz.sw };
      return { bytes: digest('SHA-1', utf8(ctx.image.mrzInformation)) };
    case PACE_PASSWORD.CAN:
      return { bytes: utf8(ctx.image.can) };
    case PACE_PASSWORD.PIN:
    case PACE_PASSWORD.PUK:
      return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    default:
      return { sw: SW.WRONG_DATA };
  }
}

/** One GENERAL AUTHENTICATE of a PACE run: steps 1-3 chained (CLA 10), the mutual authentication unchained. */
export function paceStep(ctx: EmrtdContext, run: PaceChipSession, content: Uint8Array, chained: boolean): Outcome {
  // TR-03110-3 B.1: a wrong chaining bit ends the run.
  if (chained === run.expectsLastCommand) {
    ctx.session.pace = undefined;
    return { sw: SW.LAST_COMMAND_EXPECTED };
  }
  const work = paceWork(run);
  const r = run.step(content);
  if (!r.ok) {
    ctx.session.pace = undefined;
    if (r.sw === SW.VERIFICATION_FAILED) ctx.attempts.failed();
    return { sw: r.sw, work: { kind: 'symmetric' } };
  }
  const established = r.established;
  if (!established) return { sw: SW.OK, data: r.data, work };
  ctx.attempts.succeeded();
  return { sw: SW.OK, data: r.data, after: () => ctx.session.start(established), work: { kind: 'symmetric' } };
}

/** Modelled work of the step just taken: GM mapping = 3 group operations, key agreement = 2, nonce = symmetric. */
function paceWork(run: PaceChipSession): CryptoWork {
  const stage = run.currentStage;
  const ops = stage === 'map' ? 3 : stage === 'agree' ? 2 : 0;
  if (!ops) return { kind: 'symmetric' };
  return keyAgreementWork(run.parameterId, ops);
}
