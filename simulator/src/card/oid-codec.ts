/** DER content octets of an OBJECT IDENTIFIER (X.690 §8.19), both ways. Decoding returns undefined on bad input. */

export function encodeOidContent(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError('OID needs at least two arcs');
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

export function decodeOidContent(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0 || bytes.length > 64) return undefined;
  const values: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (v === 0n && b === 0x80) return undefined; // non-minimal encoding
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      values.push(v);
      v = 0n;
    } else if (i === bytes.length - 1) return undefined;
  }
  const first = values.shift()!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...values].join('.');
}
