export type { AtrProfile, CardCapabilities } from './atr.js';
export { parseAtr } from './atr.js';
export { commandName } from './commands.js';
export { DIAGNOSE_GROUPS, type DiagnoseOptions, diagnoseChip } from './diagnose.js';
export { describeKey, type KeyProfile } from './keys.js';
export type { ProbeAnswer, ProbeResult } from './probes.js';
export { buildChipProfile } from './profile.js';
export {
  type AccessProfile,
  type ActiveAuthenticationProfile,
  CHIP_PROFILE_FORMAT,
  CHIP_PROFILE_VERSION,
  type ChipAuthenticationProfile,
  type ChipProfile,
  type ExchangeProfile,
  type FileProfile,
  type RefusalProfile,
  type SodProfile,
  type StepFailureProfile,
} from './profile-types.js';
export { analyseReadBinary, type EndOfFileBehaviour, type ReadBinaryProfile } from './read-binary.js';
export type { SecurityInfoProfile } from './security-infos.js';
export { type ApduTraceEntry, commandShape, type TraceOptions, type TracePhase, TracingTransport } from './trace.js';
