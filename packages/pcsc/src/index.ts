export { type CommandApdu, encodeCommandApdu, getResponse, parseCommandApdu, withLe } from './apdu.js';
export {
  type CardPresence,
  PcscContext,
  type PcscContextEvents,
  type PcscContextOptions,
  type ReaderInfo,
  type WaitForCardOptions,
  type WaitOptions,
} from './context.js';
export { isServiceLoss, mapPcscError, PcscError, type PcscReason, pcscCodeOf, SCARD } from './errors.js';
export {
  CM_IOCTL_GET_FEATURE_REQUEST_CODE,
  FEATURE_GET_TLV_PROPERTIES,
  maxApduDataSize,
  parseFeatures,
  parseTlvProperties,
  scardCtlCode,
} from './features.js';
export { type ProcessHostOptions, processFactory } from './host.js';
export { inProcessFactory, type NativeContext, type NativeFactory, type NativeReader } from './native.js';
export {
  extendedCapabilities,
  PcscTransport,
  type PcscTransportOptions,
  RECEIVE_BUFFER,
  SHORT_CAPABILITIES,
} from './transport.js';
