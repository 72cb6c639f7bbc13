/**
 * The root exports of @cccd/react-native, pinned: a name that appears or disappears here is a decision about the
 * package's public API (and its semver). Type-only exports do not exist at run time and are not listed.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';

const EXPORTS = [
  'CCCD_AID',
  'IOS_SELECT_IDENTIFIERS',
  'NfcTransport',
  'NfcTransportError',
  'READER_MODE',
  'SHORT_CAPABILITIES',
  'androidCapabilities',
  'atrFromHistoricalBytes',
  'classifyNativeError',
  'coreNfcCodeOf',
  'iosCapabilities',
  'mapNativeError',
  'toEmrtdError',
];

it('exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual(EXPORTS);
});
