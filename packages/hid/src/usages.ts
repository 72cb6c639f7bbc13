/**
 * HID Usage Tables 1.x, Keyboard/Keypad page (0x07), as a US-layout host interprets them. A wedge scanner sends
 * US-layout usages; a host with another layout changes punctuation, which is why only the US map is modelled.
 */

export const USAGE = {
  ERROR_ROLL_OVER: 0x01,
  A: 0x04,
  Z: 0x1d,
  ONE: 0x1e,
  ZERO: 0x27,
  ENTER: 0x28,
  TAB: 0x2b,
  SPACE: 0x2c,
  KP_PLUS: 0x57,
  KP_ENTER: 0x58,
  KP_ONE: 0x59,
  KP_ZERO: 0x62,
} as const;

/** Modifier byte bits (boot report byte 0): left and right variants. */
export const MOD = {
  CTRL: 0x11,
  SHIFT: 0x22,
  ALT: 0x44,
  GUI: 0x88,
  LEFT_SHIFT: 0x02,
  LEFT_ALT: 0x04,
  LEFT_CTRL: 0x01,
} as const;

/** [usage, unshifted, shifted]. 0x32 (non-US #~) and 0x64 (non-US \|) do not exist on a US keyboard. */
const PUNCTUATION: ReadonlyArray<readonly [number, string, string]> = [
  [0x2b, '\t', '\t'],
  [0x2c, ' ', ' '],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];

/** Keypad with Num Lock on (scanners that use the keypad for digits assume it is). */
const KEYPAD: ReadonlyArray<readonly [number, string]> = [
  [0x54, '/'],
  [0x55, '*'],
  [0x56, '-'],
  [0x57, '+'],
  [0x59, '1'],
  [0x5a, '2'],
  [0x5b, '3'],
  [0x5c, '4'],
  [0x5d, '5'],
  [0x5e, '6'],
  [0x5f, '7'],
  [0x60, '8'],
  [0x61, '9'],
  [0x62, '0'],
  [0x63, '.'],
];

export const isKeypad = (usage: number) => usage >= 0x54 && usage <= 0x63;

function buildTables() {
  const plain = new Map<number, string>();
  const shifted = new Map<number, string>();
  for (let i = 0; i < 26; i++) {
    const c = String.fromCharCode(0x61 + i);
    plain.set(USAGE.A + i, c);
    shifted.set(USAGE.A + i, c.toUpperCase());
  }
  const digits = '1234567890';
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) {
    plain.set(USAGE.ONE + i, digits[i]!);
    shifted.set(USAGE.ONE + i, shiftedDigits[i]!);
  }
  for (const [usage, p, s] of PUNCTUATION) {
    plain.set(usage, p);
    shifted.set(usage, s);
  }
  for (const [usage, c] of KEYPAD) {
    plain.set(usage, c);
    shifted.set(usage, c);
  }
  const reverse = new Map<string, { usage: number; shift: boolean }>();
  for (const [table, shift] of [
    [plain, false],
    [shifted, true],
  ] as const) {
    for (const [usage, c] of table) if (!isKeypad(usage) && !reverse.has(c)) reverse.set(c, { usage, shift });
  }
  return { plain, shifted, reverse };
}

const TABLES = buildTables();

/** The character a US-layout host types for a key usage, or undefined for keys that type nothing. */
export function usageToChar(usage: number, shift: boolean): string | undefined {
  return (shift ? TABLES.shifted : TABLES.plain).get(usage);
}

/** Reverse map for generators: the main-block key (never the keypad) that types `ch` on a US layout. */
export function charToUsage(ch: string): { usage: number; shift: boolean } | undefined {
  return TABLES.reverse.get(ch);
}

export const isEnter = (usage: number) => usage === USAGE.ENTER || usage === USAGE.KP_ENTER;

/** Decimal digit of a keypad key (Alt codes are typed on the keypad only), or -1. */
export function keypadDigit(usage: number): number {
  if (usage >= USAGE.KP_ONE && usage <= USAGE.KP_ONE + 8) return usage - USAGE.KP_ONE + 1;
  return usage === USAGE.KP_ZERO ? 0 : -1;
}

/** Hex digit typed by a key (digit row, keypad digits, letters a-f), or -1. */
export function hexDigit(usage: number): number {
  const kp = keypadDigit(usage);
  if (kp >= 0) return kp;
  if (usage >= USAGE.ONE && usage <= USAGE.ZERO) return usage === USAGE.ZERO ? 0 : usage - USAGE.ONE + 1;
  if (usage >= USAGE.A && usage <= USAGE.A + 5) return usage - USAGE.A + 10;
  return -1;
}
