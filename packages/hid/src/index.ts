export { type AltCodeMode, type AnsiCodePage, decodeAltDecimal, decodeHexCodePoint } from './alt-codes.js';
export { type AssembledScan, type AssemblerOptions, ScanAssembler, type ScanKind } from './assembler.js';
export type { DecoderEvent, ReportDecoder, ScannerMode } from './decoder.js';
export {
  classifyScanner,
  type HidDevice,
  type HidDeviceInfo,
  type HidTarget,
  type ListScannersOptions,
  listScanners,
  type OpenOptions,
  openHidScanner,
  SCANNER_VENDOR_IDS,
  type ScannerInfo,
  USAGE_PAGE,
} from './device.js';
export {
  HID_POS_LAYOUTS,
  HidPosDecoder,
  type HidPosDecoderOptions,
  type HidPosLayout,
  type HidPosLayoutName,
} from './hid-pos.js';
export { KeyboardDecoder, type KeyboardDecoderOptions } from './keyboard.js';
export { openQrScanner } from './open.js';
export { looksLikeCccdQr } from './qr.js';
export {
  type CccdEvent,
  type MrzEvent,
  QrScanner,
  type QrScannerEvents,
  type QrScannerOptions,
  type ScanEvent,
} from './scanner.js';
export {
  type HidPosReportOptions,
  hidPosReportsFor,
  type KeyboardReportOptions,
  keyboardReportsFor,
  SAMPLE_CCCD_QR,
} from './synthetic.js';
