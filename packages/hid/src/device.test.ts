import { describe, expect, it } from 'vitest';
import { classifyScanner, listScanners } from './device.js';

describe('listScanners', () => {
  it('returns [] through node-hid on a machine without scanners', async () => {
    expect(await listScanners()).toEqual([]);
  });

  it('keeps HID-POS collections and scanner-like keyboards, HID-POS first', async () => {
    const devices = [
      { vendorId: 0x046d, productId: 0xc31c, usagePage: 1, usage: 6, product: 'USB Keyboard' },
      { vendorId: 0x0c2e, productId: 0x0b61, usagePage: 1, usage: 6, product: 'Honeywell 1900' },
      { vendorId: 0x1a86, productId: 0xe026, usagePage: 1, usage: 6, product: 'Barcode Scanner' },
      { vendorId: 0x1a86, productId: 0xe026, usagePage: 1, usage: 2, product: 'Barcode Scanner' },
      { vendorId: 0x0c2e, productId: 0x0b67, usagePage: 0x8c, usage: 2, path: '/dev/hidraw3' },
      { vendorId: 0x1050, productId: 0x0407, usagePage: 0xf1d0, usage: 1, product: 'YubiKey' },
    ];
    const found = await listScanners({ enumerate: async () => devices });
    expect(found.map((d) => [d.productId, d.mode])).toEqual([
      [0x0b67, 'hid-pos'],
      [0x0b61, 'keyboard'],
      [0xe026, 'keyboard'],
    ]);
    expect(classifyScanner({ vendorId: 0x05e0, productId: 1, usagePage: 1, usage: 6 })).toBe('keyboard');
  });

  it('wraps enumeration failures in a typed error', async () => {
    await expect(
      listScanners({
        enumerate: async () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toMatchObject({ code: 'transport', step: 'hid-list' });
  });
});
