/** The benchmark card: the 2021 CCCD profile with its ~16 KB DG2, personalised once per process. */
import { TrustStore } from '@cccd/emrtd';
import {
  type CardOptions,
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';

export const BENCH_PROFILE = 'cccd-2021-adult';
/** Everything a full CCCD read touches; EF.SOD is always added by readVerified. */
export const FULL_READ_GROUPS = ['DG1', 'DG2', 'DG13', 'DG14', 'DG15'] as const;

let cached: Promise<PersonalisedCard> | undefined;

export function benchCard(): Promise<PersonalisedCard> {
  cached ??= personalise(loadProfile(BENCH_PROFILE), { seed: 8 });
  return cached;
}

export function trustStoreFor(image: PersonalisedCard): TrustStore {
  const store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  return store;
}

export function freshTransport(image: PersonalisedCard, options: CardOptions = {}): InProcessTransport {
  return new InProcessTransport(new SimulatedCard(image, options));
}
