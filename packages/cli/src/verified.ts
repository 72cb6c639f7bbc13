/**
 * Read + verify in one call through @cccd/emrtd's readVerified (PA with the trust store, CA and AA on the live
 * chip, evidence bundle on request). The CLI always reads DG14/DG15 so CA/AA can count.
 */
export { readVerified as readAndVerify, type VerifiedRead } from '@cccd/emrtd';
