import { describe, expect, it } from 'vitest';
import {
  initialReadSizes,
  MAX_SIZE_REFUSALS,
  maxBlockForResponse,
  nextReadSize,
  type ReadSizes,
  readRefused,
  readSucceeded,
} from './read-size.js';

const EXTENDED = { extendedLength: true, maxResponseLength: 65538 };

/**
 * Reads a `size`-byte file body against a chip that accepts a block when `accepts(block)`, as file-reader.ts drives
 * read-size.ts; returns the READs spent (refused included) and the blocks that worked.
 */
function readBody(s: ReadSizes, size: number, accepts: (block: number) => boolean) {
  let have = 0;
  let reads = 0;
  let refusals = 0;
  while (have < size) {
    const block = nextReadSize(s, size - have);
    reads++;
    if (reads > 200) throw new Error('no progress');
    if (accepts(block)) {
      have += block;
      readSucceeded(s, block);
    } else {
      refusals++;
      if (!readRefused(s, block)) throw new Error('gave up');
    }
  }
  return { reads, refusals };
}

// A chip capping the plain Ne, and one capping its response buffer (the protected answer must fit).
const neCap = (cap: number) => (block: number) => block <= cap;
const bufferCap = (cap: number) => (block: number) => block <= maxBlockForResponse(cap, 'AES-128');

describe('read sizes: discovering a chip cap', () => {
  it('asks for the whole file while nothing was refused, and never above the link maximum', () => {
    const s = initialReadSizes(EXTENDED, 'AES-128');
    expect(nextReadSize(s, 15_771)).toBe(15_771);
    expect(nextReadSize(s, 100_000)).toBe(maxBlockForResponse(65_538, 'AES-128'));
    expect(nextReadSize(initialReadSizes(undefined, 'AES-128'), 15_771)).toBe(0xdf);
    expect(nextReadSize(initialReadSizes(EXTENDED, 'AES-128', 223), 15_771)).toBe(223);
  });

  for (const [name, chip] of [
    ['Ne', neCap],
    ['buffer', bufferCap],
  ] as const)
    for (const cap of [512, 1024, 2048, 4096])
      it(`finds a ${cap}-byte ${name} cap with at most 4 refusals and at most one READ more than ideal`, () => {
        const s = initialReadSizes(EXTENDED, 'AES-128');
        const size = 15_771;
        const largest = name === 'Ne' ? cap : maxBlockForResponse(cap, 'AES-128');
        const { reads, refusals } = readBody(s, size, chip(cap));
        expect(refusals).toBeLessThanOrEqual(4);
        expect(reads - refusals).toBeLessThanOrEqual(Math.ceil(size / largest) + 1);
        // What it learned stays: later files spend at most the one upward probe left, then none.
        expect(readBody(s, 8_000, chip(cap)).refusals).toBeLessThanOrEqual(1);
        expect(readBody(s, 8_000, chip(cap)).refusals).toBe(0);
        expect(s.good).toBeGreaterThanOrEqual(maxBlockForResponse(cap, 'AES-128'));
        expect(s.good).toBeLessThanOrEqual(largest);
      });

  it('on a chip whose refusals cost the session it climbs, and stops before a probe that would not repay one', () => {
    const s = initialReadSizes(EXTENDED, 'AES-128');
    readRefused(s, 15_771);
    s.costly = true;
    // 479 then 991 each save more than a new session costs; 2015 would save 8 READs of 15 000 bytes: not enough.
    expect(readBody(s, 15_000, neCap(1024)).refusals).toBe(0);
    expect(s.good).toBe(991);
    const big = initialReadSizes(EXTENDED, 'AES-128');
    readRefused(big, 60_000);
    big.costly = true;
    expect(readBody(big, 60_000, neCap(1024)).refusals).toBe(1);
  });

  it('a short-only chip behind an extended link: a few cheap refusals (two when costly), then 223-byte reads', () => {
    const s = initialReadSizes(EXTENDED, 'AES-128');
    expect(readBody(s, 15_000, (b) => b <= 0xdf).refusals).toBeLessThanOrEqual(4);
    expect(s.good).toBe(0xdf);
    const costly = initialReadSizes(EXTENDED, 'AES-128');
    costly.costly = true;
    expect(readBody(costly, 15_000, (b) => b <= 0xdf).refusals).toBe(2);
  });

  it('a 6Cxx size is asked next; a refused "safe" size steps down the short ladder', () => {
    const plain = initialReadSizes(undefined, undefined);
    expect(nextReadSize(plain, 1000)).toBe(256);
    expect(readRefused(plain, 256)).toBe(true); // Le = 00 refused (6700)
    expect(nextReadSize(plain, 1000)).toBe(0xdf);
    const s = initialReadSizes(undefined, undefined);
    readRefused(s, 256, 0xc8);
    expect(nextReadSize(s, 1000)).toBe(0xc8);
  });

  it('a chip that refuses everything ends the search: no retry storm', () => {
    const s = initialReadSizes(EXTENDED, 'AES-128');
    let refusals = 0;
    while (readRefused(s, nextReadSize(s, 15_000))) refusals++;
    // The probing cap, then one cipher block at a time from 0xDF down to 0x20.
    expect(refusals).toBeLessThanOrEqual(MAX_SIZE_REFUSALS + 13);
  });

  it('keeps the odd-INS framing reserve out of the data asked for', () => {
    const s = initialReadSizes(EXTENDED, 'AES-128');
    readSucceeded(s, 1024);
    readRefused(s, 1025);
    expect(nextReadSize(s, 5000, 4)).toBe(1020);
  });
});
