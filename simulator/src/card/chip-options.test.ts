import { describe, expect, it } from 'vitest';
import { CHIP_OPTIONS, chipOptionsMarkdown, DEFAULT_CHIP } from './chip-behaviour.js';
import {
  chipBehaviour,
  chipSettings,
  formatChipOptions,
  parseChipOption,
  parseChipOptions,
  personalisationOptions,
} from './chip-options.js';

describe('parseChipOption', () => {
  it('parses every value form of every option', () => {
    expect(parseChipOption('ca=completes')).toEqual({ ca: { kind: 'completes' } });
    expect(parseChipOption('ca=refuse-mse:6A86')).toEqual({ ca: { kind: 'refuse-mse', sw: 0x6a86 } });
    expect(parseChipOption('ca=refuse-ga:6d00')).toEqual({ ca: { kind: 'refuse-ga', sw: 0x6d00 } });
    expect(parseChipOption('ca=fails-new-keys')).toEqual({ ca: { kind: 'fails-new-keys' } });
    expect(parseChipOption('ca=not-advertised')).toEqual({ ca: { kind: 'not-advertised' } });
    expect(parseChipOption('aa=absent')).toEqual({ aa: { kind: 'absent' } });
    expect(parseChipOption('aa=refuse:6982')).toEqual({ aa: { kind: 'refuse', sw: 0x6982 } });
    expect(parseChipOption('pace-cam=wrong-key')).toEqual({ paceCam: { kind: 'wrong-key' } });
    expect(parseChipOption('pace-cam-iv=ones')).toEqual({ paceCamIv: 'ones' });
    expect(parseChipOption('pace-mrz=refused')).toEqual({ paceMrz: { kind: 'refused', sw: 0x6982 } });
    expect(parseChipOption('pace-mrz=refused:6A88')).toEqual({ paceMrz: { kind: 'refused', sw: 0x6a88 } });
    expect(parseChipOption('ne-cap=1024')).toEqual({ neCap: { max: 1024, overflow: '6700' } });
    expect(parseChipOption('ne-cap=223:6Cxx')).toEqual({ neCap: { max: 223, overflow: '6cxx' } });
    expect(parseChipOption('ne-cap=65536:cut')).toEqual({ neCap: { max: 65536, overflow: 'cut' } });
    expect(parseChipOption('short-le00=refused')).toEqual({ shortLe00: 'refused' });
    expect(parseChipOption('eof=6B00')).toEqual({ endOfFile: '6b00' });
    expect(parseChipOption('sfi=refused')).toEqual({ sfi: { kind: 'refused', sw: 0x6a86 } });
    expect(parseChipOption('sfi=refused:6981')).toEqual({ sfi: { kind: 'refused', sw: 0x6981 } });
    expect(parseChipOption('sm-errors=plain')).toEqual({ smErrors: 'plain' });
    expect(parseChipOption('select-mf=9000')).toEqual({ selectMf: '9000' });
    expect(parseChipOption('crypto-time=2.5')).toEqual({ cryptoTime: 2.5 });
    expect(parseChipOption('exchange-ms=25')).toEqual({ exchangeMs: 25 });
  });

  it('rejects bad specs with an invalid-argument error naming the option', () => {
    for (const bad of [
      'ca',
      'ca=maybe',
      'ca=refuse-mse',
      'ca=refuse-mse:9000',
      'ca=refuse-mse:6A8',
      'ca=completes:6A86',
      'ca=refuse-ga:6A86:1',
      'aa=refuse',
      'pace-cam=maybe',
      'pace-cam-iv=minus-one',
      'pace-cam=present:6A80',
      'pace-mrz=refused:zzzz',
      'ne-cap=32',
      'ne-cap=65537',
      'ne-cap=1024:6c00',
      'ne-cap=1k',
      'short-le00=maybe',
      'eof=6281',
      'sfi=refused:1234',
      'sm-errors=loud',
      'select-mf=6d01',
      'crypto-time=0',
      'crypto-time=-1',
      'exchange-ms=1.5',
      'warp-drive=on',
    ]) {
      let error: unknown;
      try {
        parseChipOption(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toMatchObject({ code: 'invalid-argument', step: 'chip-option' });
      expect((error as Error).message, bad).toContain(`chip option "${bad}"`);
    }
  });

  it('refuses the same option twice in one list', () => {
    expect(() => parseChipOptions(['eof=9000', 'sfi=refused', 'eof=6b00'])).toThrow(/"eof=6b00".*twice/);
  });

  it('every example in CHIP_OPTIONS parses, and formatting round-trips every non-default value', () => {
    const names = CHIP_OPTIONS.map((o) => o.name);
    expect(new Set(names).size).toBe(13);
    for (const option of CHIP_OPTIONS) {
      expect(option.description.length, option.name).toBeGreaterThan(40);
      for (const example of option.examples) {
        expect(example.startsWith(`${option.name}=`), example).toBe(true);
        const settings = parseChipOption(example);
        expect(parseChipOptions(formatChipOptions(settings)), example).toEqual(chipSettings(settings));
      }
    }
  });
});

describe('merging chip settings', () => {
  it('starts from the CCCD defaults; later layers win; only differences are kept and printed', () => {
    expect(chipBehaviour()).toEqual(DEFAULT_CHIP);
    const merged = chipBehaviour({ endOfFile: '9000', selectMf: '9000' }, ['eof=6b00', 'ca=refuse-mse:6A86']);
    expect(merged).toMatchObject({ endOfFile: '6b00', selectMf: '9000', ca: { kind: 'refuse-mse', sw: 0x6a86 } });
    expect(chipSettings(['eof=6282', 'sfi=refused'])).toEqual({ sfi: { kind: 'refused', sw: 0x6a86 } });
    expect(formatChipOptions(['ne-cap=1024', 'ca=refuse-mse:6a86', 'eof=6282'])).toEqual([
      'ca=refuse-mse:6A86',
      'ne-cap=1024:6700',
    ]);
  });

  it('names the options that change the card files', () => {
    expect(personalisationOptions(['eof=9000', 'aa=absent', 'ca=not-advertised', 'pace-cam=present'])).toEqual([
      'ca=not-advertised',
      'aa=absent',
      'pace-cam=present',
    ]);
    expect(personalisationOptions(['ca=refuse-mse:6A86', 'aa=refuse:6985'])).toEqual([]);
  });

  it('renders the documentation table with one row per option', () => {
    const lines = chipOptionsMarkdown().split('\n');
    expect(lines).toHaveLength(2 + CHIP_OPTIONS.length);
    for (const [i, o] of CHIP_OPTIONS.entries())
      expect(lines[i + 2]).toContain(`\`${o.name}=${o.value.replaceAll('|', '\\|')}\``);
  });
});
