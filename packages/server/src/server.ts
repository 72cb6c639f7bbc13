/**
 * The backend in one object: issue tickets, verify results, enrol and revoke kiosk agents. Shares nothing but the
 * store, so any number of instances can run behind a load balancer on one Redis.
 */
import { agentSigSchema } from '@cccd/client';
import { type OverallStatus, type TrustStore, VerificationCache, type VerifyEvidenceOptions } from '@cccd/emrtd';
import { ServerError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { type Decision, type ResultPolicy, type VerifyResultOptions, verifyResult } from './results.js';
import type { CccdStore, Enrolment } from './store.js';
import {
  type IssuedTicket,
  importTicketKey,
  issueTicket,
  type TicketKey,
  type TicketKeyInput,
  type TicketRequest,
} from './tickets.js';

export interface CccdServerOptions {
  /** `iss` of the tickets: the `iss` of this backend in the agents' `issuers` configuration. */
  issuer: string;
  /** The ES256 private key whose public half is in the agents' configuration. */
  ticketKey: TicketKeyInput;
  /** The front-desk origins this backend issues tickets for (exact scheme://host[:port]). */
  origins: readonly string[];
  /** CSCAs (and CRLs) for the server's own passive authentication of evidence bundles. */
  trustStore: TrustStore;
  /** Default: in memory (one instance). Use RedisStore for several. */
  store?: CccdStore;
  allowSimulated?: boolean;
  requireEvidence?: boolean;
  acceptVerdicts?: readonly OverallStatus[];
  /** Clock skew allowed on the ticket's expiry (default 30 s, as the agent). */
  clockToleranceSec?: number;
  /** How long a ticket is remembered after it expires, to tell replayed and expired from unknown (default 600 s). */
  retainSec?: number;
  /**
   * Passed to verifyEvidence. Unless it names its own `cache`, the server keeps one VerificationCache for its
   * lifetime (certificate/CRL signature verdicts by exact bytes, DS key tables): same verdicts, less CPU.
   */
  evidenceOptions?: VerifyEvidenceOptions;
  now?: () => Date;
}

export interface CccdServer {
  issueTicket(request: TicketRequest): Promise<IssuedTicket>;
  verifyResult(result: unknown, options: VerifyResultOptions): Promise<Decision>;
  /** An administrator registers a kiosk agent's device key (`agentSig.publicKey`, SPKI base64). */
  enrol(agentId: string, publicKey: string, label?: string): Promise<Enrolment>;
  revoke(agentId: string): Promise<boolean>;
  readonly store: CccdStore;
  close(): Promise<void>;
}

export function createCccdServer(options: CccdServerOptions): CccdServer {
  const store = options.store ?? new MemoryStore();
  const now = options.now ?? (() => new Date());
  const origins = new Set(options.origins);
  const retainMs = (options.retainSec ?? 600) * 1000;
  const policy: ResultPolicy = {
    trustStore: options.trustStore,
    allowSimulated: options.allowSimulated ?? false,
    requireEvidence: options.requireEvidence ?? true,
    acceptVerdicts: options.acceptVerdicts ?? ['authentic', 'genuine-data'],
    clockToleranceSec: options.clockToleranceSec ?? 30,
    evidenceOptions: { cache: new VerificationCache(), ...options.evidenceOptions },
  };
  let key: Promise<TicketKey> | undefined;
  return {
    store,
    async issueTicket(request) {
      key ??= importTicketKey(options.ticketKey);
      return issueTicket(request, { issuer: options.issuer, key: await key, origins, store, retainMs, now: now() });
    },
    verifyResult: (result, opts) => verifyResult(result, opts, store, policy, now()),
    async enrol(agentId, publicKey, label) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(agentId))
        throw new ServerError('ERR_INVALID_ENROLMENT', 'agentId must be 1-64 characters A-Z a-z 0-9 _ -');
      if (!agentSigSchema.shape.publicKey.safeParse(publicKey).success || publicKey.length > 1024)
        throw new ServerError('ERR_INVALID_ENROLMENT', 'publicKey must be an SPKI DER public key in base64');
      const e: Enrolment = {
        agentId,
        publicKey,
        enrolledAt: now().toISOString(),
        ...(label === undefined ? {} : { label }),
      };
      await store.enrol(e);
      return e;
    },
    revoke: (agentId) => store.revoke(agentId),
    close: () => store.close(),
  };
}
