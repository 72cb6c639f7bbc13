/**
 * The eMRTD application the CCCD chip carries (ICAO 9303-10 §3.6.2: the LDS1 eMRTD application, AID A0 00 00 02 47 10 01).
 * iOS only reports an ISO 7816 tag when one of the AIDs in Info.plist's
 * `com.apple.developer.nfc.readersession.iso7816.select-identifiers` answers SELECT, so this AID must be listed.
 */
export const CCCD_AID = 'A0000002471001';

/** The select-identifiers list an app reading CCCD puts in its Info.plist. */
export const IOS_SELECT_IDENTIFIERS: readonly string[] = Object.freeze([CCCD_AID]);
