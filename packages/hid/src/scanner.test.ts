import { EventEmitter } from 'node:events';
import type { CandidateKey } from '@cccd/emrtd';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HidDevice } from './device.js';
import { type CccdEvent, type MrzEvent, QrScanner, type QrScannerOptions, type ScanEvent } from './scanner.js';
import { hidPosReportsFor, keyboardReportsFor, SAMPLE_CCCD_QR as QR } from './synthetic.js';

class FakeDevice extends EventEmitter implements HidDevice {
  closed = 0;
  send(reports: Uint8Array[]) {
    for (const r of reports) this.emit('data', r);
  }
  close() {
    this.closed++;
  }
}

const MRZ = ['IDVNM0900123451001090012345<<4', '9008152M3008152VNM<<<<<<<<<<<4', 'NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<'];

function setup<K = CandidateKey[]>(options: QrScannerOptions<K> = {}) {
  const device = new FakeDevice();
  const scanner = new QrScanner<K>(device, options);
  const scans: ScanEvent[] = [];
  const cccd: CccdEvent<K>[] = [];
  const mrz: MrzEvent[] = [];
  const errors: Error[] = [];
  scanner.on('scan', (e) => scans.push(e));
  scanner.on('cccd', (e) => cccd.push(e));
  scanner.on('mrz', (e) => mrz.push(e));
  scanner.on('error', (e) => errors.push(e));
  return { device, scanner, scans, cccd, mrz, errors };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('QrScanner', () => {
  it('emits scan and cccd (parsed payload + keys) for a keyboard-wedge QR', () => {
    const t = setup();
    t.device.send(keyboardReportsFor(QR));
    expect(t.scans).toEqual([{ text: QR, kind: 'cccd', mode: 'keyboard' }]);
    expect(t.cccd).toHaveLength(1);
    expect(t.cccd[0]!.payload.fullName).toBe('Nguyễn Văn An');
    // The core's candidate keys: CAN first, then BAC with the expiry computed from the issue date.
    expect(t.cccd[0]!.keys.map((k) => k.key.kind)).toEqual(['CAN', 'MRZ', 'MRZ']);
    expect(t.cccd[0]!.keys[1]!.key).toMatchObject({ documentNumber: '090012345', dateOfBirth: '900815' });
  });

  it('emits the same from HID-POS reports, with the AIM identifier', () => {
    const t = setup({ mode: 'hid-pos' });
    t.device.send(hidPosReportsFor(QR));
    expect(t.scans).toEqual([{ text: QR, kind: 'cccd', mode: 'hid-pos', aim: ']Q1' }]);
    expect(t.cccd[0]!.payload.address).toBe('Số 1 Đường ABC, Phường X, Quận Y, Hà Nội');
  });

  it('passes the QR to an injected key derivation', () => {
    const t = setup({ deriveKeys: (qr, p) => ({ qrLength: qr.length, id: p.idNumber }) });
    t.device.send(keyboardReportsFor(QR));
    expect(t.cccd[0]!.keys).toEqual({ qrLength: QR.length, id: '001090012345' });
  });

  it('drops a double scan within the window and accepts it again after', () => {
    const t = setup({ dedupWindowMs: 1500 });
    t.device.send(keyboardReportsFor(QR));
    vi.advanceTimersByTime(200);
    t.device.send(keyboardReportsFor(QR));
    t.device.send(keyboardReportsFor(QR + QR));
    expect(t.cccd).toHaveLength(1);
    vi.advanceTimersByTime(1600);
    t.device.send(keyboardReportsFor(QR));
    expect(t.cccd).toHaveLength(2);
  });

  it('reassembles a payload split by a premature Enter, within the fragment window', () => {
    const t = setup();
    const cut = QR.indexOf('|Nam|');
    t.device.send(keyboardReportsFor(QR.slice(0, cut)));
    vi.advanceTimersByTime(40);
    expect(t.scans).toEqual([]);
    t.device.send(keyboardReportsFor(QR.slice(cut)));
    expect(t.scans.map((s) => s.kind)).toEqual(['cccd']);
    expect(t.cccd[0]!.payload.dateOfIssue).toBe('2021-02-01');
  });

  it('also reassembles a cut inside the ID number, and releases a lone fragment after the window', () => {
    const t = setup();
    t.device.send(keyboardReportsFor(QR.slice(0, 7)));
    t.device.send(keyboardReportsFor(QR.slice(7)));
    expect(t.cccd).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    t.device.send(keyboardReportsFor('001090012345|12'));
    expect(t.scans).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(t.scans.map((s) => [s.text, s.kind])).toEqual([
      [QR, 'cccd'],
      ['001090012345|12', 'other'],
    ]);
  });

  it('does not glue a new payload onto a stale fragment', () => {
    const t = setup();
    t.device.send(keyboardReportsFor('001090012345|123'));
    t.device.send(keyboardReportsFor(QR));
    expect(t.scans.map((s) => s.kind)).toEqual(['other', 'cccd']);
  });

  it('gathers MRZ lines typed one per Enter, and takes a 3-line HID-POS MRZ at once', () => {
    const t = setup();
    t.device.send(keyboardReportsFor(`${MRZ.join('\r')}`));
    expect(t.mrz).toEqual([{ lines: MRZ, text: MRZ.join('\n') }]);
    const p = setup({ mode: 'hid-pos' });
    p.device.send(hidPosReportsFor(`${MRZ.join('\r')}\r`));
    expect(p.mrz[0]!.lines).toEqual(MRZ);
    expect(p.scans[0]!.kind).toBe('mrz');
  });

  it('releases incomplete MRZ lines as a plain scan', () => {
    const t = setup();
    t.device.send(keyboardReportsFor(MRZ[0]!));
    vi.advanceTimersByTime(1000);
    expect(t.mrz).toEqual([]);
    expect(t.scans.map((s) => s.kind)).toEqual(['other']);
  });

  it('passes other barcodes through and ignores garbage reports', () => {
    const t = setup();
    t.device.send([new Uint8Array(0), Uint8Array.of(1, 2), new Uint8Array(100).fill(0xff)]);
    t.device.send(keyboardReportsFor('https://example.vn/a?b=1'));
    expect(t.scans).toEqual([{ text: 'https://example.vn/a?b=1', kind: 'other', mode: 'keyboard' }]);
    expect(t.errors).toEqual([]);
  });

  it('discards a partial scan after the idle time, or ends it there when told to', () => {
    const t = setup({ idleTimeoutMs: 300 });
    t.device.send(keyboardReportsFor('PARTIAL', { enter: false }));
    vi.advanceTimersByTime(301);
    t.device.send(keyboardReportsFor('next'));
    expect(t.scans.map((s) => s.text)).toEqual(['next']);
    const e = setup({ idleTimeoutMs: 300, idleEndsScan: true });
    e.device.send(keyboardReportsFor(QR, { enter: false }));
    vi.advanceTimersByTime(301);
    expect(e.cccd).toHaveLength(1);
  });

  it('drops a half-received HID-POS barcode after the idle time', () => {
    const t = setup({ mode: 'hid-pos', idleTimeoutMs: 300 });
    const reports = hidPosReportsFor(QR);
    t.device.send(reports.slice(0, 2));
    vi.advanceTimersByTime(301);
    expect(t.scans).toEqual([]);
    t.device.send(reports);
    expect(t.scans.map((s) => s.text)).toEqual([QR]);
  });

  it('close() clears every timer, closes the device once and stops events', async () => {
    const t = setup();
    t.device.send(keyboardReportsFor('001090012345|1'));
    t.device.send(keyboardReportsFor('abc', { enter: false }));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    const closed = vi.fn();
    t.scanner.on('close', closed);
    await t.scanner.close();
    await t.scanner.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(t.device.closed).toBe(1);
    expect(closed).toHaveBeenCalledTimes(1);
    t.device.send(keyboardReportsFor(QR));
    vi.advanceTimersByTime(5000);
    expect(t.scans).toEqual([]);
  });

  it('turns device errors into typed errors, and survives them with no error listener', async () => {
    const t = setup();
    t.device.emit('error', new Error('device gone'));
    expect(t.errors[0]).toMatchObject({ code: 'transport', step: 'hid-read' });
    const quiet = new QrScanner(new FakeDevice());
    expect(() => (quiet as unknown as { device: FakeDevice }).device.emit('error', new Error('x'))).not.toThrow();
    const failing = { on: () => undefined, close: () => Promise.reject(new Error('already closed')) };
    await expect(new QrScanner(failing).close()).resolves.toBeUndefined();
  });

  it('reports a key-derivation failure without the payload in the message', () => {
    const t = setup({
      deriveKeys: () => {
        throw new Error('no expiry');
      },
    });
    t.device.send(keyboardReportsFor(QR));
    expect(t.scans).toHaveLength(1);
    expect(t.cccd).toEqual([]);
    expect(t.errors[0]).toMatchObject({ code: 'malformed-data' });
    expect(t.errors[0]!.message).not.toMatch(/001090012345|Nguy/);
  });
});
