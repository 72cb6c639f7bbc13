/**
 * The root exports of @cccd/pcsc, pinned: a name that appears or disappears here is a decision about the package's
 * public API (and its semver), not a side effect of moving code between modules. Type-only exports do not exist at
 * run time and are not listed.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';

const EXPORTS = [
  'CM_IOCTL_GET_FEATURE_REQUEST_CODE',
  'FEATURE_GET_TLV_PROPERTIES',
  'PcscContext',
  'PcscError',
  'PcscTransport',
  'RECEIVE_BUFFER',
  'SCARD',
  'SHORT_CAPABILITIES',
  'encodeCommandApdu',
  'extendedCapabilities',
  'getResponse',
  'inProcessFactory',
  'isServiceLoss',
  'mapPcscError',
  'maxApduDataSize',
  'parseCommandApdu',
  'parseFeatures',
  'parseTlvProperties',
  'pcscCodeOf',
  'processFactory',
  'scardCtlCode',
  'withLe',
];

it('exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual(EXPORTS);
});
