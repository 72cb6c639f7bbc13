/** Seeded RSA prime generation: small-prime sieve over an odd run from a random start, then Miller–Rabin. */
import type { ByteStream } from './drbg.js';

const SMALL_PRIMES: number[] = (() => {
  const limit = 4096;
  const composite = new Uint8Array(limit);
  const out: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return out;
})();

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  const b = base % modulus;
  // 4-bit fixed window: roughly a quarter fewer multiplications than plain square-and-multiply.
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % modulus);
  const bits = exponent.toString(2);
  const pad = (4 - (bits.length % 4)) % 4;
  const padded = '0'.repeat(pad) + bits;
  for (let i = 0; i < padded.length; i += 4) {
    if (i > 0) for (let k = 0; k < 4; k++) result = (result * result) % modulus;
    const w = Number.parseInt(padded.slice(i, i + 4), 2);
    if (w) result = (result * table[w]!) % modulus;
  }
  return result;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('modInverse: not invertible');
  return ((oldS % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y) [x, y] = [y, x % y];
  return x;
}

function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Miller–Rabin with bases drawn from the stream (so the verdict, like everything else, is reproducible). */
export function isProbablePrime(n: bigint, rounds: number, stream: ByteStream): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES.slice(0, 20)) {
    if (n === BigInt(p)) return true;
    if (n % BigInt(p) === 0n) return false;
  }
  if (n % 2n === 0n) return false;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (let i = 0; i < rounds; i++) {
    const a = i === 0 ? 2n : (toBig(stream.next(Math.ceil(n.toString(2).length / 8))) % (n - 3n)) + 2n;
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** A prime of exactly `bits` bits with the top two bits set (so p·q has full length) and gcd(p-1, e) = 1. */
export function seededPrime(bits: number, e: bigint, stream: ByteStream): bigint {
  for (;;) {
    const raw = toBig(stream.next(Math.ceil(bits / 8))) & ((1n << BigInt(bits)) - 1n);
    const start = raw | (3n << BigInt(bits - 2)) | 1n;
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
    for (let delta = 0; delta < 1 << 16; delta += 2) {
      let sieved = true;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + delta) % SMALL_PRIMES[i]! === 0) {
          sieved = false;
          break;
        }
      }
      if (!sieved) continue;
      const candidate = start + BigInt(delta);
      if (candidate >> BigInt(bits) !== 0n) break;
      if ((candidate - 1n) % e === 0n) continue;
      // FIPS 186-5 C.1: 5 rounds suffice for 1024-bit and larger random candidates; the first base-2 round weeds out.
      if (isProbablePrime(candidate, bits >= 1024 ? 5 : 8, stream)) return candidate;
    }
  }
}
