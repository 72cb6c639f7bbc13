export type { AtrProfile, CardCapabilities } from './atr.js';
export { parseAtr } from './atr.js';
export { commandName } from './commands.js';
export { DIAGNOSE_GROUPS, type DiagnoseOptions, diagnoseChip } from './diagnose.js';
export { describeKey, type KeyProfile } from './keys.js';
export type { ProbeAnswer, ProbeResult } from './probes.js';
export {
  type AccessProfile,
  type ActiveAuthenticationProfile,
  buildChipProfile,
  CHIP_PROFILE_FORMAT,
  CHIP_PROFILE_VERSION,
  type ChipAuthenticationProfile,
  type ChipProfile,
  type ExchangeProfile,
  type FileProfile,
  type RefusalProfile,
  type SodProfile,
  type StepFailureProfile,
} from './profile.js';
export { analyseReadBinary, type EndOfFileBehaviour, type ReadBinaryProfile } from './read-binary.js';
export type { SecurityInfoProfile } from './security-infos.js';
export { type ApduTraceEntry, commandShape, type TraceOptions, type TracePhase, TracingTransport } from './trace.js';
