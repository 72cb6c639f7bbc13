/**
 * DER content octets of an OBJECT IDENTIFIER (X.690 §8.19) back to dotted form, as the chip reads MSE:Set AT tag 80.
 * Encoding is the core's `oidContent`. Decoding stays here: the chip answers a malformed or non-minimal OID with
 * 6A80 (undefined here), where the core's `readOid` is an LDS parser that takes a TLV and throws MalformedData.
 */
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
