export {
  ensurePcscd,
  PCSCD_RUN_DIR,
  PcscdError,
  type PcscdHandle,
  type PcscdOptions,
  pcscdIsServing,
} from './pcscd/pcscd.js';
