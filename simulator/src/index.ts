// Card applet, card image, faults and link model (simulator/src/card).
export { type CardOptions, type ExchangeResult, SimulatedCard } from './card/applet.js';
export {
  type AaBehaviour,
  type CaBehaviour,
  CHIP_OPTIONS,
  type ChipBehaviour,
  type ChipOptionInfo,
  type ChipOptionName,
  type ChipSettings,
  type ChipSettingsInput,
  chipOptionsMarkdown,
  DEFAULT_CHIP,
  type NeOverflow,
} from './card/chip-behaviour.js';
export {
  chipBehaviour,
  chipSettings,
  formatChipOptions,
  parseChipOption,
  parseChipOptions,
  personalisationOptions,
} from './card/chip-options.js';
export { FAULTS, type Fault, type FaultName, parseFault } from './card/faults.js';
export {
  type ActiveAuthenticationKey,
  type CardImage,
  type ChipAuthenticationKey,
  FID,
  type PaceConfig,
} from './card/image.js';
export { type BitrateKbps, LINK_DEFAULTS, type LinkOptions, type LinkStats } from './card/link.js';
export {
  ensurePcscd,
  PCSCD_RUN_DIR,
  PcscdError,
  type PcscdHandle,
  type PcscdOptions,
  pcscdIsServing,
} from './pcscd/pcscd.js';
// Personalisation: profiles, file builders, card directories (simulator/src/perso).
export { efFileName, readCardDir, writeCardDir } from './perso/card-dir.js';
export { expectedExpiry, MILESTONES } from './perso/expiry.js';
export { drawFace, faceJpeg } from './perso/face.js';
export { buildCardAccess } from './perso/files/card-access.js';
export { buildCom } from './perso/files/com.js';
export { buildDg1 } from './perso/files/dg1.js';
export { buildDg2 } from './perso/files/dg2.js';
export { buildDg11, buildDg12 } from './perso/files/dg11-12.js';
export { buildDg13, NO_EXPIRY_TEXT } from './perso/files/dg13.js';
export { buildDg14 } from './perso/files/dg14.js';
export { buildDg15 } from './perso/files/dg15.js';
export { canOf, mrzInformation, mrzLines, transliterate } from './perso/mrz.js';
export {
  DEFAULT_PACE,
  DEFAULT_SIGNATURE,
  type PersonalisedCard,
  type PersonaliseOptions,
  personalise,
} from './perso/personalise.js';
export {
  type CardKind,
  type CitizenProfile,
  type CitizenProfileInput,
  CitizenProfileSchema,
  type Dg13Layout,
  type FaceOptions,
  ProfileError,
  parseProfile,
} from './perso/profile.js';
export { listProfiles, loadProfile, PROFILES_DIR } from './perso/profiles.js';
// Test PKI (simulator/src/pki).
export * from './pki/index.js';
// Transports: in-process for tests, vpcd bridge into the real pcscd.
export { InProcessTransport } from './transport/in-process.js';
export { VPCD_CTRL, VPCD_DEFAULT_PORT, VpcdBridge, type VpcdBridgeOptions } from './vpcd/bridge.js';
