import { readTlvs } from '@cccd/emrtd/codec';
import { SW } from '../apdu.js';
import type { ChipAuthenticationKey } from '../image.js';
import { type Outcome, refusal } from '../outcome.js';
import { chipAuthenticate, chipAuthenticationOid } from './chip-auth.js';
import { decodeOidContent } from './oid-codec.js';
import type { EmrtdContext } from './session.js';
import { keyAgreementWork } from './work.js';

/** MSE:Set AT for Chip Authentication (ICAO 9303-11 §6.2.3.2, step 1 of 2): only under SM, for the card's OID. */
export function mseChipAuthentication(
  ctx: EmrtdContext,
  secure: boolean,
  oidBytes?: Uint8Array,
  keyId?: Uint8Array,
): Outcome {
  ctx.session.caPending = false;
  const key = ctx.image.chipAuthentication;
  if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
  const ca = ctx.behaviour.ca;
  if (ca.kind === 'refuse-mse') return refusal(ca.sw, secure);
  if (!key) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (!oidBytes || decodeOidContent(oidBytes) !== chipAuthenticationOid(key)) return { sw: SW.WRONG_DATA };
  if (keyId && !keyMatches(keyId, key.keyId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  ctx.session.caPending = true;
  ctx.session.pace = undefined;
  return { sw: SW.OK };
}

/** Chip Authentication with MSE:Set KAT (ICAO 9303-11 §6.2.3.1): 3DES keys only, key agreement in one command. */
export function mseKeyAgreementTemplate(
  ctx: EmrtdContext,
  secure: boolean,
  ephemeral?: Uint8Array,
  keyId?: Uint8Array,
): Outcome {
  const key = ctx.image.chipAuthentication;
  if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
  // KAT is MSE and key agreement in one: both refusals answer it.
  const ca = ctx.behaviour.ca;
  if (ca.kind === 'refuse-mse' || ca.kind === 'refuse-ga') return refusal(ca.sw, secure);
  if (!key) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  if (key.cipher !== '3DES' || !ephemeral) return { sw: SW.WRONG_DATA };
  if (keyId && !keyMatches(keyId, key.keyId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
  return agree(ctx, key, ephemeral);
}

/** GENERAL AUTHENTICATE after MSE:Set AT (§6.2.3.2, step 2 of 2): dynamic authentication data 7C { 80 PK_IFD }. */
export function chipAuthenticationStep(
  ctx: EmrtdContext,
  content: Uint8Array,
  secure: boolean,
  chained: boolean,
): Outcome {
  ctx.session.caPending = false;
  const key = ctx.image.chipAuthentication;
  if (!key || !secure) return { sw: SW.CONDITIONS_NOT_SATISFIED };
  const ca = ctx.behaviour.ca;
  if (ca.kind === 'refuse-ga') return refusal(ca.sw, secure);
  if (chained) return { sw: SW.CHAINING_NOT_SUPPORTED };
  const ephemeral = ephemeralKey(content);
  if (!ephemeral) return { sw: SW.WRONG_DATA };
  const r = agree(ctx, key, ephemeral);
  return r.sw === SW.OK ? { ...r, data: Uint8Array.of(0x7c, 0x00) } : r;
}

/** The key agreement both variants share; the answer goes under the old keys, the new session starts after it. */
function agree(ctx: EmrtdContext, key: ChipAuthenticationKey, ephemeral: Uint8Array): Outcome {
  const r = chipAuthenticate(key, ephemeral, { faultyResponseKeys: ctx.behaviour.ca.kind === 'fails-new-keys' });
  if (!r.ok) return { sw: r.sw };
  return { sw: SW.OK, after: () => ctx.session.start(r.sm), work: keyAgreementWork(key.parameterId, 1) };
}

function ephemeralKey(content: Uint8Array): Uint8Array | undefined {
  try {
    const inner = readTlvs(content, 'GENERAL AUTHENTICATE');
    return inner.length === 1 && inner[0]!.tag === 0x80 ? inner[0]!.value : undefined;
  } catch {
    return undefined;
  }
}

/** Tag 84 names the key by its keyId as a minimal big-endian number; a key without an id matches none. */
function keyMatches(requested: Uint8Array, keyId: number | undefined): boolean {
  if (keyId === undefined) return false;
  return requested.reduce((acc, b) => acc * 256 + b, 0) === keyId;
}
