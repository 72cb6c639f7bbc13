import { aesEcb, bytesToBig, concat, fromHex, modPow, type SmCipher } from '@cccd/emrtd/codec';
import type { CardGroup, GroupElement } from './group.js';

/**
 * PACE Integrated Mapping, chip side (ICAO 9303-11 §4.4.3.3.2, TR-03110-3 A.3.5.2): the pseudo-random function
 * R_p(s, t) built from the block cipher, then the encoding of its output into the group. Only the AES-128 form is
 * implemented (its constants are the ones the ICAO H.1/H.2 examples exercise); other ciphers are refused at MSE.
 */
const C0_128 = fromHex('A668892A7C41E3CA739F40B057D85904');
const C1_128 = fromHex('A4E136AC725F738B01C1F60217C188AD');

export function integratedMappingSupported(cipher: SmCipher, group: CardGroup): boolean {
  if (cipher !== 'AES-128') return false;
  // The point encoding below is the p ≡ 3 (mod 4) form of the simplified SWU map.
  return group.params.kind === 'DH' || group.prime % 4n === 3n;
}

/** R_p(s, t): k0 = E_t(s); x_i = E_{k_i}(c1), k_{i+1} = E_{k_i}(c0); output (x_0 ‖ … ‖ x_{n-1}) mod p. */
export function pseudoRandom(s: Uint8Array, t: Uint8Array, primeBits: number, prime: bigint): bigint {
  const n = Math.ceil((primeBits + 64) / 128);
  let key = aesEcb(t, s, true);
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push(aesEcb(key, C1_128, true));
    key = aesEcb(key, C0_128, true);
  }
  return bytesToBig(concat(...blocks)) % prime;
}

/** Maps R_p(s, t) to the generator of the ephemeral group: SWU point encoding (EC) or x^((p-1)/q) (DH). */
export function integratedMap(group: CardGroup, s: Uint8Array, t: Uint8Array): GroupElement {
  const r = pseudoRandom(s, t, group.primeBits, group.prime);
  const params = group.params;
  if (params.kind === 'DH') return modPow(r, (params.p - 1n) / params.q, params.p);
  const { p, a, b } = params.curve.CURVE();
  const m = (x: bigint) => ((x % p) + p) % p;
  const inv = (x: bigint) => modPow(x, p - 2n, p);
  const alpha = m(-r * r);
  const x2 = m(-b * (1n + alpha + alpha * alpha) * inv(m(a * (alpha + alpha * alpha))));
  const x3 = m(alpha * x2);
  const h2 = m(x2 * x2 * x2 + a * x2 + b);
  const u = m(r * r * r * h2);
  const aa = modPow(h2, p - 1n - (p + 1n) / 4n, p);
  const point = m(aa * aa * h2) === 1n ? { x: x2, y: m(aa * h2) } : { x: x3, y: m(aa * u) };
  const g = params.curve.fromAffine(point);
  g.assertValidity();
  return g;
}
