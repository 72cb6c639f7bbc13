/** PC/SC v2 part 10 reader features (pcsc-lite reader.h); only what extended-length detection needs. */

/** pcsc-lite: SCARD_CTL_CODE(c) = 0x42000000 + c; Windows: CTL_CODE(FILE_DEVICE_SMARTCARD, c, METHOD_BUFFERED, ...). */
export function scardCtlCode(code: number, platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? (0x31 << 16) | (code << 2) : 0x42000000 + code;
}

export const CM_IOCTL_GET_FEATURE_REQUEST_CODE = 3400;
export const FEATURE_GET_TLV_PROPERTIES = 0x12;
export const PROPERTY_dwMaxAPDUDataSize = 0x0a;

/** GET_FEATURE_REQUEST answer: tag(1) len(1)=4 control code (4, big-endian, part 10 §2.2). */
export function parseFeatures(data: Uint8Array): Map<number, number> {
  const features = new Map<number, number>();
  for (let i = 0; i + 6 <= data.length; i += 6) {
    if (data[i + 1] !== 4) break;
    features.set(data[i]!, ((data[i + 2]! << 24) | (data[i + 3]! << 16) | (data[i + 4]! << 8) | data[i + 5]!) >>> 0);
  }
  return features;
}

/** FEATURE_GET_TLV_PROPERTIES answer: tag(1) len(1) value (little-endian integers, part 10 §2.6.14). */
export function parseTlvProperties(data: Uint8Array): Map<number, number | Uint8Array> {
  const props = new Map<number, number | Uint8Array>();
  let i = 0;
  while (i + 2 <= data.length) {
    const tag = data[i]!;
    const len = data[i + 1]!;
    const value = data.subarray(i + 2, i + 2 + len);
    if (value.length < len) break;
    props.set(tag, len === 1 || len === 2 || len === 4 ? value.reduceRight((acc, b) => acc * 256 + b, 0) : value);
    i += 2 + len;
  }
  return props;
}

/** dwMaxAPDUDataSize: 0 = short APDUs only; otherwise the largest extended Lc/Ne the reader passes. */
export function maxApduDataSize(properties: Uint8Array): number | undefined {
  const v = parseTlvProperties(properties).get(PROPERTY_dwMaxAPDUDataSize);
  return typeof v === 'number' ? v : undefined;
}
