/**
 * diagnoseChip: one full read of every file the CCCD reader knows (EF.COM, DG1, DG2, DG13, DG14, DG15, EF.SOD)
 * through readVerified with an APDU trace, a few probes on a fresh session, and a ChipProfile that describes the
 * chip without any personal data. The read's personal data never leaves this call: it is zeroed before returning.
 * A card error (wrong key, refused step) does not throw: the profile says how far the read got (outcome 'failed').
 */
import { newStats, PlainChannel } from '../apdu/channel.js';
import { EmrtdError } from '../errors.js';
import type { AccessKey } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import { readVerified } from '../read/read.js';
import type { CccdGroup, VerifiedRead, VerifiedReadOptions } from '../read/types.js';
import { type FileSession, readFile } from '../reader/file-reader.js';
import { FILES } from '../reader/files.js';
import type { Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';
import { type ProbeResult, runProbes } from './probes.js';
import { buildChipProfile } from './profile.js';
import type { ChipProfile } from './profile-types.js';
import { type TraceOptions, TracingTransport } from './trace.js';

/** Every file a chip profile sizes; DG2 and DG13 are read only to be measured and are zeroed afterwards. */
export const DIAGNOSE_GROUPS: readonly CccdGroup[] = ['COM', 'DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'SOD'];

export interface DiagnoseOptions extends Omit<VerifiedReadOptions, 'groups' | 'evidence' | 'trustStore'> {
  /** CSCAs for passive authentication (default: none, so the verdict is at best unknown-csca). */
  trustStore?: TrustStore;
  /** The reader as the caller knows it (PC/SC name, T=0/T=1): the transport does not say. */
  reader?: { name?: string; protocol?: string };
  /** Probe end-of-file answers, SFI reads and the extended-length cap on a second session (default true). */
  probes?: boolean;
  trace?: TraceOptions;
}

/** Errors after which the chip cannot be asked anything more in this call. */
const LINK_GONE = new Set(['timeout', 'card-removed', 'transport', 'cancelled']);

/** EF.CardAccess over a plain channel, for a profile whose read stopped before reporting it. */
async function readCardAccess(transport: Transport, options: DiagnoseOptions): Promise<Uint8Array | undefined> {
  const stats = newStats();
  const session: FileSession = {
    channel: new PlainChannel(transport, { timeoutMs: options.timeoutMs, signal: options.signal }, stats),
    stats,
    capabilities: transport.capabilities,
    lost: false,
    reestablish: async () => {
      throw new EmrtdError('transport', 'no resume while diagnosing EF.CardAccess');
    },
  };
  try {
    return (await readFile(session, FILES.CardAccess, { maxFileSize: 16 * 1024, maxResumes: 0 })).bytes;
  } catch (e) {
    if (!(e instanceof EmrtdError) || e.code === 'cancelled') throw e;
    return undefined;
  }
}

function wipe(read: VerifiedRead | undefined): void {
  if (!read) return;
  for (const bytes of Object.values(read.raw)) bytes?.fill(0);
  read.photo?.image.fill(0);
  for (const face of read.dg2?.faces ?? []) face.image.fill(0);
  if (read.activeAuthentication.challenge) read.activeAuthentication.challenge.fill(0);
}

export async function diagnoseChip(
  transport: Transport,
  key: AccessKey | CandidateKey | (AccessKey | CandidateKey)[],
  options: DiagnoseOptions = {},
): Promise<ChipProfile> {
  const { reader, probes: probe, trace: traceOptions, trustStore, ...readOptions } = options;
  const trace = new TracingTransport(transport, traceOptions);
  const createdAt = new Date();
  const groups = [...DIAGNOSE_GROUPS];
  const started = Date.now();
  let read: VerifiedRead | undefined;
  let failure: EmrtdError | undefined;
  try {
    read = await readVerified(trace, key, { ...readOptions, groups, trustStore: trustStore ?? new TrustStore() });
  } catch (e) {
    // A wrong key or a refused step is what a diagnosis reports; a bad argument or a cancel is the caller's.
    if (!(e instanceof EmrtdError) || e.code === 'cancelled' || e.code === 'invalid-argument') throw e;
    failure = e;
  }
  const readMs = Date.now() - started;
  try {
    trace.phase = 'probe';
    let cardAccess: Uint8Array | undefined;
    if (failure && !LINK_GONE.has(failure.code)) cardAccess = await readCardAccess(trace, options);
    let probes: ProbeResult | undefined;
    let probeMs: number | undefined;
    if (read && probe !== false) {
      const t0 = Date.now();
      const sizes: Partial<Record<CccdGroup, number>> = {};
      for (const [g, bytes] of Object.entries(read.raw)) if (bytes) sizes[g as CccdGroup] = bytes.length;
      probes = await runProbes(trace, {
        key,
        access: read.access,
        sizes,
        session: {
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.sendParameterId ? { sendParameterId: options.sendParameterId } : {}),
          ...(options.aid ? { aid: options.aid } : {}),
        },
      });
      probeMs = Date.now() - t0;
    }
    return buildChipProfile({
      trace,
      groups,
      ...(read ? { read } : {}),
      ...(failure ? { failure } : {}),
      ...(cardAccess ? { cardAccess } : {}),
      ...(probes ? { probes } : {}),
      ...(reader ? { reader } : {}),
      createdAt,
      readMs,
      ...(probeMs === undefined ? {} : { probeMs }),
    });
  } finally {
    wipe(read);
  }
}
