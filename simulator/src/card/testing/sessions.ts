import { fromHex } from '@cccd/emrtd/codec';
import { APPENDIX_D as D } from '@cccd/emrtd/testing';
import { type CardOptions, SimulatedCard } from '../applet.js';
import type { CardImage } from '../image.js';
import { scriptedRandom, seededRandom } from '../random.js';
import { testImage } from './image.js';
import { TerminalSm } from './terminal.js';

/**
 * A card after BAC with the ICAO 9303-11 Appendix D exchange (MRZ L898902C<…, RND.IC/K.IC injected), and the
 * terminal's SM session with the appendix session keys and SSC. The application is selected first.
 */
export function appendixDSession(
  overrides: Partial<CardImage> = {},
  options: CardOptions = {},
): { card: SimulatedCard; sm: TerminalSm } {
  const card = new SimulatedCard(testImage(overrides), {
    ...options,
    random: scriptedRandom([fromHex(D.rndIc), fromHex(D.kIc)], seededRandom(3)),
  });
  const ok = (r: Uint8Array) => {
    if (r[r.length - 2] !== 0x90) throw new Error('appendix D set-up failed');
  };
  ok(card.process(fromHex('00A4040C07A0000002471001')));
  ok(card.process(fromHex(D.getChallenge[0])));
  ok(card.process(fromHex(D.mutualAuthenticate[0])));
  const sm = new TerminalSm('3DES', fromHex(D.ksEnc), fromHex(D.ksMac), fromHex(D.ssc));
  return { card, sm };
}
