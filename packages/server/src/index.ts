export {
  type BackendHttpOptions,
  type BackendLogRecord,
  type CccdBackendOptions,
  createCccdBackend,
  type TicketAuthorization,
} from './backend.js';
export type { ClaimedField } from './consistency.js';
export { DEMO_DESKS, type DemoBackend, type DemoBackendOptions, startDemoBackend } from './demo.js';
export { ConfigError, ServerError, type ServerErrorCode } from './errors.js';
export { MemoryStore } from './memory-store.js';
export { REFUSAL_CODES, type RefusalCode } from './reasons.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export {
  type AcceptedDecision,
  type Decision,
  type RefusedDecision,
  releasedFields,
  type VerifyResultOptions,
} from './results.js';
export { type CccdServer, type CccdServerOptions, createCccdServer } from './server.js';
export { type ServerHandle, type StartServerOptions, startCccdServer } from './start.js';
export type { CccdStore, ConsumeResult, Enrolment, PeekResult, TicketRecord } from './store.js';
export type { IssuedTicket, TicketKeyInput, TicketRequest } from './tickets.js';
export {
  createTrustBundlePublisher,
  type PublishedTrustBundle,
  signTrustBundle,
  type TrustBundleKeyInput,
  type TrustBundlePayloadOptions,
  type TrustBundlePublisher,
  type TrustBundlePublisherOptions,
  trustBundlePayload,
} from './trust-bundle.js';
