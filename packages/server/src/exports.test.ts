/**
 * The root exports of @cccd/server, pinned: a name that appears or disappears here is a decision about the
 * package's public API, not a side effect of moving code. Type-only exports do not exist at run time.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';

const EXPORTS = [
  'ConfigError',
  'DEMO_DESKS',
  'MemoryStore',
  'REFUSAL_CODES',
  'RedisStore',
  'ServerError',
  'createCccdBackend',
  'createCccdServer',
  'createTrustBundlePublisher',
  'releasedFields',
  'signTrustBundle',
  'startCccdServer',
  'startDemoBackend',
  'trustBundlePayload',
];

it('exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual([...EXPORTS].sort());
});
