/**
 * The root exports of @cccd/kiosk-agent, pinned: a name that appears or disappears here is a decision about the package's
 * public API (and its semver), not a side effect of moving code between modules. Type-only exports do not exist at
 * run time and are not listed.
 */
import { expect, it } from 'vitest';
import * as root from './index.js';

const EXPORTS = [
  'AGENT_VERSION',
  'AgentConfigSchema',
  'AgentError',
  'AuditTrail',
  'ConfigError',
  'DEFAULT_PORT',
  'LOG_KEYS',
  'SENSITIVE_FIELDS',
  'checkRelease',
  'checkUpgrade',
  'configFromEnv',
  'defaultDataDir',
  'groupsFor',
  'loadConfig',
  'loopbackHosts',
  'pairingCode',
  'parseConfig',
  'pcscReaderId',
  'policyFor',
  'redactLogRecord',
  'startAgent',
  'verifyAuditChain',
];

it('exports exactly the pinned names', () => {
  expect(Object.keys(root).sort()).toEqual(EXPORTS);
});
