/**
 * The root exports of @cccd/hid, pinned: a name that appears or disappears here is a decision about the package's
 * public API (and its semver), not a side effect of moving code between modules. Type-only exports do not exist at
 * run time and are not listed.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';

const EXPORTS = [
  'HID_POS_LAYOUTS',
  'HidPosDecoder',
  'KeyboardDecoder',
  'QrScanner',
  'SAMPLE_CCCD_QR',
  'SCANNER_VENDOR_IDS',
  'ScanAssembler',
  'USAGE_PAGE',
  'classifyScanner',
  'decodeAltDecimal',
  'decodeHexCodePoint',
  'hidPosReportsFor',
  'keyboardReportsFor',
  'listScanners',
  'looksLikeCccdQr',
  'openHidScanner',
  'openQrScanner',
];

it('exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual(EXPORTS);
});
