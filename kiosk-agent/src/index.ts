export { type AuditEvent, type AuditRecord, AuditTrail, type AuditVerification, verifyAuditChain } from './audit.js';
export {
  type AgentConfig,
  type AgentConfigInput,
  AgentConfigSchema,
  ConfigError,
  configFromEnv,
  DEFAULT_PORT,
  defaultDataDir,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
} from './config.js';
export { AgentError } from './errors.js';
export { groupsFor, SENSITIVE_FIELDS } from './fields.js';
export { checkUpgrade, loopbackHosts } from './gate.js';
export { LOG_KEYS, redactLogRecord } from './log.js';
export { pairingCode } from './pairing.js';
export { checkRelease, policyFor } from './policy.js';
export { pcscReaderId } from './readers/pcsc.js';
export type { SimulatedReader } from './readers/simulated.js';
export { type AgentHandle, type StartAgentOptions, startAgent } from './server.js';
export { AGENT_VERSION } from './version.js';
