/** ISO/IEC 9797-1 padding method 2 (ISO/IEC 7816-4): 0x80 then zeros up to the block size. */
export function pad(data: Uint8Array, blockSize = 8): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / blockSize) + 1) * blockSize);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes method-2 padding; returns undefined when the padding is not well formed. */
export function unpad(data: Uint8Array): Uint8Array | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) return undefined;
  return data.subarray(0, i);
}
