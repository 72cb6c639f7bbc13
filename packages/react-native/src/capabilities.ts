import type { TransportCapabilities } from '@cccd/emrtd';

/** A short APDU at most: CLA INS P1 P2 Lc 255 bytes Le (ISO 7816-4 §5.1); Android IsoDep's documented default. */
export const SHORT_COMMAND_MAX = 261;
/** A short response at most: 256 data bytes and SW1 SW2. */
export const SHORT_RESPONSE_MAX = 258;

export const SHORT_CAPABILITIES: Readonly<TransportCapabilities> = Object.freeze({
  extendedLength: false,
  maxCommandLength: SHORT_COMMAND_MAX,
  maxResponseLength: SHORT_RESPONSE_MAX,
});

/**
 * Android: `IsoDep.getMaxTransceiveLength()` is the largest command the controller sends. Android's IsoDep docs:
 * "Standard APDUs have a 1-byte length field, allowing a maximum of 255 payload bytes, which results in a maximum
 * APDU length of 261 bytes"; AOSP's NFC service reports 261 unless the controller's ISO_DEP_MAX_TRANSCEIVE
 * configuration says more, and `isExtendedLengthApduSupported()` is true exactly then. So more than 261 means extended
 * length. Android documents no separate response limit; the response is bounded by the same figure here, which keeps
 * the file reader's extended blocks inside what the controller was configured for.
 */
export function androidCapabilities(maxTransceiveLength: number): TransportCapabilities {
  if (!Number.isInteger(maxTransceiveLength) || maxTransceiveLength <= SHORT_COMMAND_MAX)
    return { ...SHORT_CAPABILITIES };
  const max = Math.min(maxTransceiveLength, 65_544);
  return { extendedLength: true, maxCommandLength: max, maxResponseLength: Math.min(max, 65_538) };
}

/**
 * iOS: Core NFC's `NFCISO7816APDU` encodes extended Lc/Le (its expectedResponseLength is an Int up to 65536; a
 * negative value leaves Le out), but Apple documents no maximum frame the reader passes and none has been measured
 * for this package on a device. Short APDUs are the default (the file reader then reads in 0xDF-byte blocks under
 * secure messaging); `extendedLength: true` opts in for a device the integrator has measured.
 */
export function iosCapabilities(extendedLength: boolean): TransportCapabilities {
  return extendedLength
    ? { extendedLength: true, maxCommandLength: 65_544, maxResponseLength: 65_538 }
    : { ...SHORT_CAPABILITIES };
}
