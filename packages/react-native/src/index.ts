/**
 * @cccd/react-native: a Transport for @cccd/emrtd over react-native-nfc-manager (Android IsoDep, iOS
 * NFCISO7816Tag). The app passes the library's NfcManager, NfcTech and NfcError in; this package imports neither
 * react-native nor the NFC library. exports.test.ts pins this list.
 */
export { atrFromHistoricalBytes } from './bytes.js';
export { androidCapabilities, iosCapabilities, SHORT_CAPABILITIES } from './capabilities.js';
export { CCCD_AID, IOS_SELECT_IDENTIFIERS } from './constants.js';
export {
  classifyNativeError,
  coreNfcCodeOf,
  mapNativeError,
  type NfcFailure,
  NfcTransportError,
  toEmrtdError,
} from './errors.js';
export {
  type NfcErrorClasses,
  type NfcManagerLike,
  type NfcPlatform,
  type NfcTechLike,
  READER_MODE,
  type RequestTechnologyOptions,
} from './native.js';
export { type NfcLinkEvent, NfcTransport, type NfcTransportOptions } from './transport.js';
