/**
 * The chip-behaviour matrix: every assumption about how a chip answers, as a named `name=value` option (CLI
 * `--chip`, CardOptions.chip, PersonaliseOptions.chip, a profile's `chip` list). Defaults are today's CCCD model;
 * each other value is a way real eMRTD chips are known to differ (docs/simulator.md §7). Options that change the
 * card's files (ca=not-advertised, aa=absent) take effect at personalisation, so EF.SOD stays consistent.
 */
export type CaBehaviour =
  | { kind: 'completes' }
  /** MSE:Set AT (and MSE:Set KAT) answered with `sw`. */
  | { kind: 'refuse-mse'; sw: number }
  /** MSE:Set AT 9000, GENERAL AUTHENTICATE answered with `sw` (MSE:Set KAT, which is the key agreement, too). */
  | { kind: 'refuse-ga'; sw: number }
  /** GA answers 9000 7C00, then the chip MACs its answers under keys the terminal cannot derive. */
  | { kind: 'fails-new-keys' }
  /** No CA key: no ChipAuthenticationInfo in EF.CardAccess, no CA infos in DG14 (personalisation). */
  | { kind: 'not-advertised' };

export type AaBehaviour =
  | { kind: 'present' }
  /** No AA key and no DG15 (personalisation). */
  | { kind: 'absent' }
  /** INTERNAL AUTHENTICATE answered with `sw`. */
  | { kind: 'refuse'; sw: number };

/**
 * PACE with Chip Authentication Mapping (ICAO 9303-11 §4.4.3.3.3, TR-03110-2 §3.4.2). absent: no CAM (the CCCD).
 * present: EF.CardAccess adds an id-PACE-ECDH-CAM PACEInfo, the chip returns CA_IC in GA 4, EF.CardSecurity carries
 * the static key signed by the DS. wrong-key: CA_IC is computed with a key other than the one in EF.CardSecurity
 * (DG14 CA still uses the right key, so the reader's CA settles it; with `ca=refuse-*` it plays a clone).
 * bad-signature: EF.CardSecurity's signature does not verify. no-card-security: the file is missing.
 */
export type PaceCamBehaviour = { kind: 'absent' | 'present' | 'wrong-key' | 'bad-signature' | 'no-card-security' };

/** How a chip answers a request for more than its buffer holds. */
export type NeOverflow = '6700' | '6a86' | '6cxx' | 'cut';

export interface ChipBehaviour {
  ca: CaBehaviour;
  aa: AaBehaviour;
  paceCam: PaceCamBehaviour;
  /**
   * The IV the chip encrypts CA_IC with (pace-cam-iv): E(KS_Enc, −1) as ICAO 9303-11 §4.4.3.5.1 says, the all-ones
   * block itself (the JMRTD reading), or zero. Which one real chips use is not known for the CCCD.
   */
  paceCamIv: 'encrypted-ones' | 'ones' | 'zero';
  /** PACE MSE:Set AT with the MRZ password (reference 01): accepted, or refused with `sw` (PACE-CAN and BAC work). */
  paceMrz: { kind: 'accepted' } | { kind: 'refused'; sw: number };
  /**
   * The chip's response buffer: the response data field as sent (under secure messaging the protected DO'87'/
   * DO'99'/DO'8E' answer) never exceeds `max` bytes. Absent: Ne follows CardOptions.extendedLength as before.
   */
  neCap?: { max: number; overflow: NeOverflow };
  /** A short READ BINARY with Ne = 256 (plain Le 00, or DO'97' 00 under SM): served, or refused with 6700. */
  shortLe00: 'accepted' | 'refused';
  /** A READ BINARY reaching past the end of the file: the rest + 6282, the rest + 9000, or 6B00 and no data. */
  endOfFile: '6282' | '9000' | '6b00';
  /** READ BINARY with a short EF identifier (B0 with P1 b8 set, B1 with P1-P2 = SFI). */
  sfi: { kind: 'supported' } | { kind: 'refused'; sw: number };
  /** Error status words under SM: protected (DO'99' + DO'8E', session stays) or plain (session ends). */
  smErrors: 'protected' | 'plain';
  /** SELECT of the MF (P1 = 00 with 3F00 or no data). */
  selectMf: '6d00' | '9000' | '6a82';
  /** Factor on the modelled chip crypto time (link model only; nothing sleeps). */
  cryptoTime: number;
  /** Modelled chip time added to every exchange, in ms (link model only; the latency-ms fault really sleeps). */
  exchangeMs: number;
}

/** Some options, e.g. from a profile or a card directory; the rest take their defaults. */
export type ChipSettings = Partial<ChipBehaviour>;
/** Options as an object or as `name=value` strings. */
export type ChipSettingsInput = ChipSettings | readonly string[];

export const DEFAULT_CHIP: Readonly<ChipBehaviour> = Object.freeze<ChipBehaviour>({
  ca: { kind: 'completes' },
  aa: { kind: 'present' },
  paceCam: { kind: 'absent' },
  paceCamIv: 'encrypted-ones',
  paceMrz: { kind: 'accepted' },
  shortLe00: 'accepted',
  endOfFile: '6282',
  sfi: { kind: 'supported' },
  smErrors: 'protected',
  selectMf: '6d00',
  cryptoTime: 1,
  exchangeMs: 0,
});

export type ChipOptionName =
  | 'ca'
  | 'aa'
  | 'pace-cam'
  | 'pace-mrz'
  | 'ne-cap'
  | 'short-le00'
  | 'eof'
  | 'sfi'
  | 'sm-errors'
  | 'select-mf'
  | 'pace-cam-iv'
  | 'crypto-time'
  | 'exchange-ms';

export interface ChipOptionInfo {
  name: ChipOptionName;
  /** Value syntax. */
  value: string;
  default: string;
  /** Values that change the card's files, so they take effect at personalisation. */
  personalisation: readonly string[];
  description: string;
  /** One spec per value form, for matrix tests and the docs. */
  examples: readonly string[];
}

export const CHIP_OPTIONS: readonly ChipOptionInfo[] = [
  {
    name: 'ca',
    value: 'completes|refuse-mse:SW|refuse-ga:SW|fails-new-keys|not-advertised',
    default: 'completes',
    personalisation: ['not-advertised'],
    description:
      'Chip Authentication. refuse-mse: MSE:Set AT (41A4) and MSE:Set KAT (41A6) answer SW. refuse-ga: MSE:Set AT ' +
      'answers 9000, GENERAL AUTHENTICATE answers SW (KAT, being the key agreement, answers SW too). Refusals are ' +
      'protected and keep the old session unless sm-errors=plain. fails-new-keys: GA answers 9000 7C00 under the ' +
      'old keys, then the chip MACs and encrypts its answers under keys derived from a different private key, so ' +
      'the first answer under the new keys does not verify (the chip still accepts the terminal commands). ' +
      'not-advertised: no CA key, no ChipAuthenticationInfo in EF.CardAccess, DG14 without CA infos; MSE answers 6A88.',
    examples: ['ca=completes', 'ca=refuse-mse:6A86', 'ca=refuse-ga:6A80', 'ca=fails-new-keys', 'ca=not-advertised'],
  },
  {
    name: 'aa',
    value: 'present|absent|refuse:SW',
    default: 'present',
    personalisation: ['absent'],
    description:
      'Active Authentication. present: DG15 and the AA key as personalised. absent: no DG15 and no AA key ' +
      '(INTERNAL AUTHENTICATE answers 6D00). refuse: DG15 is there but INTERNAL AUTHENTICATE answers SW.',
    examples: ['aa=present', 'aa=absent', 'aa=refuse:6985'],
  },
  {
    name: 'pace-cam',
    value: 'absent|present|wrong-key|bad-signature|no-card-security',
    default: 'absent',
    personalisation: ['present', 'wrong-key', 'bad-signature', 'no-card-security'],
    description:
      'PACE with Chip Authentication Mapping (ECDH, AES only). present: EF.CardAccess adds an id-PACE-ECDH-CAM ' +
      'PACEInfo after the GM ones (same curve and cipher), GA 4 returns the encrypted CA_IC (DO8A), and the MF-level ' +
      'EF.CardSecurity (011D) is a SignedData by the DS with the PACEInfos and the static key ' +
      '(ChipAuthenticationPublicKeyInfo; the CA key of DG14). wrong-key: CA_IC is computed with another private ' +
      'key (DG14 CA still succeeds, so the reader reports a warning; with ca=refuse-mse it plays a clone). ' +
      'bad-signature: EF.CardSecurity signature value altered. no-card-security: no EF.CardSecurity.',
    examples: [
      'pace-cam=absent',
      'pace-cam=present',
      'pace-cam=wrong-key',
      'pace-cam=bad-signature',
      'pace-cam=no-card-security',
    ],
  },
  {
    name: 'pace-cam-iv',
    value: 'encrypted-ones|ones|zero',
    default: 'encrypted-ones',
    personalisation: [],
    description:
      'The IV of the CA_IC encryption in GA 4 (PACE-CAM only): E(KS_Enc, -1) as ICAO 9303-11 4.4.3.5.1 says, the ' +
      'all-ones block itself (how JMRTD reads "-1"), or zero. The reader accepts CA_IC under any of the three, each ' +
      'checked against the static key.',
    examples: ['pace-cam-iv=encrypted-ones', 'pace-cam-iv=ones', 'pace-cam-iv=zero'],
  },
  {
    name: 'pace-mrz',
    value: 'accepted|refused[:SW]',
    default: 'accepted',
    personalisation: [],
    description:
      'PACE MSE:Set AT (C1A4) with the MRZ password (reference 01) answers SW (default 6982), while PACE with the ' +
      'CAN and BAC with the same MRZ keep working.',
    examples: ['pace-mrz=accepted', 'pace-mrz=refused', 'pace-mrz=refused:6A88'],
  },
  {
    name: 'ne-cap',
    value: 'N[:6700|6a86|6cxx|cut]',
    default: 'off (extendedLength rules)',
    personalisation: [],
    description:
      'The chip I/O buffer is N bytes (64-65536): the response data field as sent, protected under SM, never ' +
      'exceeds N. N > 256 implies extended-length APDUs. A READ BINARY whose answer for the requested Ne would ' +
      'not fit gets 6700 (default), 6A86, 6Cxx (short requests: xx = the largest Ne that fits; extended: 6700) or ' +
      'cut: as many bytes as fit with 9000, a short answer. Ne maximum (extended Le 0000, DO97 0000) asks for all ' +
      'available bytes and gets what fits. Any other answer that does not fit gets 6700. The link still advertises ' +
      'the reader extended length: the cap is for the reader to discover.',
    examples: ['ne-cap=223', 'ne-cap=1024', 'ne-cap=2048:6a86', 'ne-cap=223:6cxx', 'ne-cap=4096:cut', 'ne-cap=65536'],
  },
  {
    name: 'short-le00',
    value: 'accepted|refused',
    default: 'accepted',
    personalisation: [],
    description:
      'refused: a short READ BINARY with Ne = 256 (plain Le 00, or DO97 = 00 under SM) answers 6700; 0xDF is the ' +
      'safe short maximum under SM.',
    examples: ['short-le00=accepted', 'short-le00=refused'],
  },
  {
    name: 'eof',
    value: '6282|9000|6b00',
    default: '6282',
    personalisation: [],
    description:
      'A READ BINARY reaching past the end of the file answers the remaining bytes with 6282, the remaining bytes ' +
      'with 9000 (a short answer), or 6B00 with no data. A read starting at or past the end is always 6B00.',
    examples: ['eof=6282', 'eof=9000', 'eof=6b00'],
  },
  {
    name: 'sfi',
    value: 'supported|refused[:SW]',
    default: 'supported',
    personalisation: [],
    description:
      'refused: READ BINARY with a short EF identifier (B0 with P1 bit 8 set, B1 with P1-P2 = 0001-001E) answers ' +
      'SW (default 6A86, incorrect P1-P2, as a chip that only takes a 15-bit offset), and the ATR no longer ' +
      'advertises SFI selection. Select the EF by FID instead.',
    examples: ['sfi=supported', 'sfi=refused', 'sfi=refused:6981'],
  },
  {
    name: 'sm-errors',
    value: 'protected|plain',
    default: 'protected',
    personalisation: [],
    description:
      'plain: every error status word (not 9000, 61xx, 62xx, 63xx) to a command under SM goes out in clear, ' +
      'without DO99/DO8E, and ends the SM session. 6987/6988 are always plain and end the session.',
    examples: ['sm-errors=protected', 'sm-errors=plain'],
  },
  {
    name: 'select-mf',
    value: '6d00|9000|6a82',
    default: '6d00',
    personalisation: [],
    description:
      'SELECT of the MF (P1 = 00 with 3F00 or no data): 6D00 like a CCCD, 9000 (the MF becomes current and the ' +
      'application is deselected) or 6A82.',
    examples: ['select-mf=6d00', 'select-mf=9000', 'select-mf=6a82'],
  },
  {
    name: 'crypto-time',
    value: 'FACTOR',
    default: '1',
    personalisation: [],
    description:
      'A slow chip: the modelled chip crypto time (PACE, CA, AA) is multiplied by FACTOR (0.01-1000) in the link ' +
      'model (card.stats.modelledMs). Nothing sleeps.',
    examples: ['crypto-time=1', 'crypto-time=4'],
  },
  {
    name: 'exchange-ms',
    value: 'N',
    default: '0',
    personalisation: [],
    description:
      'A slow chip: N ms (0-600000) of modelled chip time on every exchange, in the link model only. The ' +
      'latency-ms fault sleeps for real.',
    examples: ['exchange-ms=0', 'exchange-ms=25'],
  },
];

/** The options as a Markdown table (name=value, default, examples, effect): the table in docs/simulator.md §7. */
export function chipOptionsMarkdown(): string {
  // GitHub tables split cells on "|" even inside code spans; "\|" keeps it.
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = CHIP_OPTIONS.map((o) =>
    [`\`${o.name}=${o.value}\``, `\`${o.default}\``, o.examples.map((e) => `\`${e}\``).join(', '), o.description].map(
      cell,
    ),
  );
  return [['Option', 'Default', 'Examples', 'Effect'], ['---', '---', '---', '---'], ...rows]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');
}
