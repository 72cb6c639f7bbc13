import { InProcessTransport, loadProfile, personalise, SimulatedCard } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { canKey } from '../keys/access-key.js';
import { readVerified } from '../read/read.js';
import type { Transport } from '../transport.js';
import { TrustStore } from '../trust/store.js';

/**
 * A reader that passes extended APDUs in front of a chip that only takes short ones (the CLI's `--extended` on the
 * wrong card): the chip answers 6700 in plain and drops secure messaging; the reader must fall back to short reads
 * for the rest of the card, not resume at the size that failed.
 */
describe('extended length forced on a short-only chip', () => {
  for (const aa of ['ECDSA', 'RSA'] as const)
    it(`reads and verifies every file with short reads after the first 6700 (${aa} active authentication)`, async () => {
      const image = await personalise(loadProfile('cccd-2021-adult'), { seed: 3, activeAuthentication: aa });
      const inner = new InProcessTransport(new SimulatedCard(image, {}));
      const transport: Transport = {
        transmit: (apdu, options) => inner.transmit(apdu, options),
        reconnect: (options) => inner.reconnect(options),
        capabilities: { extendedLength: true, maxCommandLength: 65544, maxResponseLength: 65538 },
      };
      const store = new TrustStore();
      store.addCertificate(image.pki!.cscaCertDer);
      const r = await readVerified(transport, canKey(image.can), { trustStore: store, groups: ['DG1', 'DG2', 'DG13'] });
      expect(r.missing).toEqual([]);
      expect(r.verification.passive.status).toBe('valid');
      // A 2048-bit RSA signature does not fit a short response under secure messaging: AA cannot run there.
      expect(r.verification.active?.status).toBe(aa === 'ECDSA' ? 'valid' : 'not-checked');
      expect(Math.max(...r.report.files.flatMap((f) => f.blockSizes))).toBeLessThanOrEqual(0xdf);
    });
});
