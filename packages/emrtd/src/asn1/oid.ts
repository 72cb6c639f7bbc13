/**
 * OBJECT IDENTIFIER content octets (X.690 §8.19), both ways: the one OID codec of the repo. The DER writer wraps
 * the content in tag 06; MSE:Set AT (tag 80) and the PACE authentication token carry it bare.
 */
import { EmrtdError } from '../errors.js';

/** Content octets of a dotted OID, e.g. '0.4.0.127.0.7.2.2.4.2.2'. */
export function oidContent(oid: string): Uint8Array {
  const parts = oid.split('.');
  if (parts.length < 2) throw new EmrtdError('invalid-argument', 'OID needs two arcs');
  if (!parts.every((a) => /^\d+$/.test(a))) throw new EmrtdError('invalid-argument', 'OID arcs must be decimal');
  const arcs = parts.map((a) => BigInt(a));
  const out: number[] = [];
  const push = (v: bigint) => {
    const bytes = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) bytes.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...bytes);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

/**
 * Dotted form of OID content octets; undefined when empty or cut inside an arc. Non-minimal arcs (a leading 80)
 * are read as their value: callers that must refuse them check first.
 */
export function oidFromContent(content: Uint8Array): string | undefined {
  if (content.length === 0 || content[content.length - 1]! & 0x80) return undefined;
  const arcs: bigint[] = [];
  let acc = 0n;
  for (const b of content) {
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}
