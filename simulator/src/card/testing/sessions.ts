import { fromHex } from '@cccd/emrtd/codec';
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
    random: scriptedRandom([fromHex('4608F91988702212'), fromHex('0B4F80323EB3191CB04970CB4052790B')], seededRandom(3)),
  });
  const ok = (r: Uint8Array) => {
    if (r[r.length - 2] !== 0x90) throw new Error('appendix D set-up failed');
  };
  ok(card.process(fromHex('00A4040C07A0000002471001')));
  ok(card.process(fromHex('0084000008')));
  ok(
    card.process(
      fromHex('008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728'),
    ),
  );
  const sm = new TerminalSm(
    '3DES',
    fromHex('979EC13B1CBFE9DCD01AB0FED307EAE5'),
    fromHex('F1CB1F1FB5ADF208806B89DC579DC1F8'),
    fromHex('887022120C06C226'),
  );
  return { card, sm };
}
