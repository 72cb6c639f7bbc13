import { ensurePcscd } from '../simulator/src/pcscd/pcscd.js';

// One pcscd for the whole run (the machine can have only one): PC/SC tests reuse it and never stop it themselves.
export default async function setup() {
  const pcscd = await ensurePcscd({ timeoutMs: 15_000 });
  return () => pcscd.stop();
}
