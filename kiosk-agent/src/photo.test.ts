import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { readResultSchema, verifyAgentSig } from '@cccd/client';
import { loadProfile } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { resultPhoto } from './photo.js';
import { authedClient, BANK, readParams, startTestAgent, usePrivacyNet } from './test-support/harness.js';

usePrivacyNet();

const JP2 = new Uint8Array(readFileSync(new URL('../../simulator/profiles/assets/face-240x320.jp2', import.meta.url)));
/** The codestream in the jp2c box, found by its SOC + SIZ markers (ISO/IEC 15444-1 §A.4.1). */
const J2K = JP2.subarray(Buffer.from(JP2).indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51])));

function collectingLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _enc, done) => {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

const photo = (image: Uint8Array, mimeType: string) => ({ image, mimeType, width: 240, height: 320 });
const pngSignature = (b64: string) => [...Buffer.from(b64, 'base64').subarray(0, 4)];

describe('resultPhoto', () => {
  it('JPEG goes as read; JP2 and J2K go as read with a PNG of the same picture', async () => {
    const { log, lines } = collectingLog();
    const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0xff, 0xd9);
    expect(await resultPhoto(photo(jpeg, 'image/jpeg'), log)).toEqual({ mime: 'image/jpeg', b64: '/9j/4AAQ/9k=' });
    for (const [bytes, mime] of [
      [JP2, 'image/jp2'],
      [J2K, 'image/j2k'],
    ] as const) {
      const out = await resultPhoto(photo(bytes, mime), log);
      expect(out).toMatchObject({ mime, display: { mime: 'image/png', width: 240, height: 320 } });
      expect(Buffer.from(out!.b64, 'base64').equals(Buffer.from(bytes))).toBe(true);
      expect(pngSignature(out!.display!.b64)).toEqual([0x89, 0x50, 0x4e, 0x47]);
      // IHDR (ISO/IEC 15948 §11.2.2): width, height, bit depth 8, colour type 2 (RGB).
      const ihdr = Buffer.from(out!.display!.b64, 'base64').subarray(16, 26);
      expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([240, 320, 8, 2]);
    }
    expect(lines).toEqual([]);
  });

  it('a portrait that does not convert goes without `display`; the log names code and reason, no image byte', async () => {
    const { log, lines } = collectingLog();
    // A hostile SIZ: 60000 × 60000 pixels (Xsiz, Ysiz at codestream offsets 8 and 12).
    const huge = J2K.slice();
    new DataView(huge.buffer).setUint32(8, 60_000);
    new DataView(huge.buffer).setUint32(12, 60_000);
    const garbage = Uint8Array.of(0xff, 0x4f, 0xff, 0x51, 1, 2, 3);
    expect(await resultPhoto(photo(huge, 'image/j2k'), log)).toEqual({
      mime: 'image/j2k',
      b64: Buffer.from(huge).toString('base64'),
    });
    expect((await resultPhoto(photo(garbage, 'image/j2k'), log))?.display).toBeUndefined();
    expect(await resultPhoto(photo(Uint8Array.of(1, 2, 3), 'application/octet-stream'), log)).toBeUndefined();
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.errorCode, e.reason])).toEqual([
      ['photo-not-displayable', 'unsupported', 'too-large'],
      ['photo-not-displayable', 'malformed-data', undefined],
      ['photo-not-displayable', undefined, 'unknown-format'],
    ]);
    const text = lines.join('\n');
    for (const bytes of [huge, garbage])
      for (const form of [
        Buffer.from(bytes).toString('base64').slice(0, 12),
        Buffer.from(bytes).toString('hex').slice(0, 12),
      ])
        expect(text).not.toContain(form);
  });
});

describe('a read of a card whose DG2 face is JPEG 2000', () => {
  it('releases the JP2 bytes and their PNG, both under agentSig', async () => {
    const card = loadProfile('cccd-2021-jp2');
    const agent = await startTestAgent({ simulation: { profile: 'cccd-2021-jp2' } });
    const fields = ['idNumber', 'photo'];
    const a = await authedClient(agent, { origin: BANK, purpose: 'bank-kyc', fields }, { origin: BANK });
    const r = await a.client.request(
      'read.start',
      readParams(a.nonce, {
        purpose: 'bank-kyc',
        fields,
        consentRef: 'c-1',
        accessKey: { can: card.idNumber.slice(6) },
      }),
    );
    expect(r.error).toBeUndefined();
    const result = readResultSchema.parse(r.result);
    expect(result.fields.idNumber).toBe(card.idNumber);
    expect(Buffer.from(result.photo!.b64, 'base64').equals(Buffer.from(JP2))).toBe(true);
    expect(result.photo).toMatchObject({ mime: 'image/jp2', display: { mime: 'image/png', width: 240, height: 320 } });
    expect(await verifyAgentSig(result, { origin: BANK, nonce: a.nonce })).toBe(true);
  });
});
