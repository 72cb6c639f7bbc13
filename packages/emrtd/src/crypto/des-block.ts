/**
 * The DES block cipher (FIPS 46-3), in TypeScript so the library needs no Node built-in for BAC and 3DES secure
 * messaging and runs in browsers too. @noble/ciphers has no DES. Speed is not a goal: a few hundred 8-byte
 * blocks per read. The tables are FIPS 46-3's, 1-based bit numbers counted from the most significant bit.
 */

// biome-ignore format: FIPS 46-3 table, 16 entries a line
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
// biome-ignore format: FIPS 46-3 table
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
// biome-ignore format: FIPS 46-3 table
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
// biome-ignore format: FIPS 46-3 table
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// biome-ignore format: FIPS 46-3 S-boxes S1…S8, two rows of 16 a line
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
   4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
   0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
   13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
   10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
   4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
   9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
   1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
   7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

/** Bit `n` (1 = most significant) of a byte string. */
const bitOf = (bytes: ArrayLike<number>, n: number) => (bytes[(n - 1) >> 3]! >> (7 - ((n - 1) & 7))) & 1;

/** The 32-bit word of P applied to `w` (bit 1 = most significant). */
function permute32(w: number): number {
  let out = 0;
  for (const from of P) out = (out << 1) | ((w >>> (32 - from)) & 1);
  return out >>> 0;
}

/** S-box and P combined: SP[i][six input bits] is the f-function's contribution of S-box i (precomputed once). */
const SP = S.map((box, i) =>
  Array.from({ length: 64 }, (_, v) => {
    const row = ((v & 0x20) >> 4) | (v & 1);
    return permute32(box[row * 16 + ((v >> 1) & 0xf)]! << (28 - 4 * i));
  }),
);

/** The 16 round keys, each as eight 6-bit S-box inputs. */
export type DesKeySchedule = readonly Uint8Array[];

export function desKeySchedule(key8: Uint8Array): DesKeySchedule {
  if (key8.length !== 8) throw new RangeError('DES key must be 8 bytes');
  const cd = PC1.map((n) => bitOf(key8, n));
  const keys: Uint8Array[] = [];
  for (const shift of SHIFTS) {
    for (let s = 0; s < shift; s++) {
      cd.splice(0, 28, ...cd.slice(1, 28), cd[0]!);
      cd.splice(28, 28, ...cd.slice(29, 56), cd[28]!);
    }
    const k = new Uint8Array(8);
    PC2.forEach((n, j) => {
      const i = Math.floor(j / 6);
      k[i] = k[i]! | (cd[n - 1]! << (5 - (j % 6)));
    });
    keys.push(k);
  }
  return keys;
}

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** The f-function (E, round key, S-boxes, P) on the right half. */
function f(r: number, k: Uint8Array): number {
  // Expansion E takes six bits per S-box starting one bit before each nibble: rotate so they line up.
  const x = ((r >>> 1) | (r << 31)) >>> 0;
  let out = 0;
  for (let i = 0; i < 8; i++) out |= SP[i]![(rotl(x, 4 * i + 6) & 0x3f) ^ k[i]!]!;
  return out >>> 0;
}

/** Bits of `block` in the order `table` names them, as two 32-bit halves. */
function permute64(block: ArrayLike<number>, table: readonly number[]): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) hi = (hi << 1) | bitOf(block, table[i]!);
  for (let i = 32; i < 64; i++) lo = (lo << 1) | bitOf(block, table[i]!);
  return [hi >>> 0, lo >>> 0];
}

const FP = Array.from({ length: 64 }, (_, i) => IP.indexOf(i + 1) + 1);

/** One 8-byte block with a key schedule; `decrypt` runs the round keys backwards. */
export function desBlock(schedule: DesKeySchedule, block: Uint8Array, decrypt: boolean): Uint8Array {
  let [l, r] = permute64(block, IP);
  for (let round = 0; round < 16; round++) {
    const k = schedule[decrypt ? 15 - round : round]!;
    [l, r] = [r, (l ^ f(r, k)) >>> 0];
  }
  const preOutput = Uint8Array.of(r >>> 24, r >>> 16, r >>> 8, r, l >>> 24, l >>> 16, l >>> 8, l);
  const [hi, lo] = permute64(preOutput, FP);
  return Uint8Array.of(hi >>> 24, hi >>> 16, hi >>> 8, hi, lo >>> 24, lo >>> 16, lo >>> 8, lo);
}
