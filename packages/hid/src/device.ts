/**
 * The device seam: QrScanner reads any HidDevice, so tests inject synthetic reports and node-hid stays optional.
 * node-hid is imported lazily, so this package loads where the native module (or libusb) is missing.
 *
 * OS ownership (node-hid#54/#289/#302/#469): on Windows and macOS the OS owns keyboard-class devices and node-hid
 * cannot open them; switch the scanner to HID-POS with its configuration barcodes. On Linux /dev/hidrawN opens
 * (with a udev rule), but the kernel keeps typing the keys into the focused window.
 */
import { EmrtdError } from '@cccd/emrtd';
import type { ScannerMode } from './decoder.js';

export interface HidDevice {
  on(event: 'data', listener: (report: Uint8Array) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): void | Promise<void>;
}

/** What node-hid's devicesAsync() reports (the fields used here). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
}

export interface ScannerInfo extends HidDeviceInfo {
  mode: ScannerMode;
}

export type HidTarget = { vendorId: number; productId: number } | { path: string };

export const USAGE_PAGE = { GENERIC_DESKTOP: 0x01, BARCODE_SCANNER: 0x8c } as const;
const USAGE_KEYBOARD = 0x06;

/**
 * USB vendor IDs of barcode-scanner makers (usb.ids): Metrologic/Honeywell (Hand Held Products), Symbol/Zebra,
 * PSC/Datalogic, Opticon, Newland. Cheap OEM scanners often use generic chip-vendor IDs and are recognised by name.
 */
export const SCANNER_VENDOR_IDS: ReadonlySet<number> = new Set([0x0c2e, 0x05e0, 0x05f9, 0x065a, 0x1eab]);

const SCANNER_NAME = /scan|barcode|bar code|imager|\bqr\b|\bmrz\b|ocr/i;

/**
 * The heuristic: a collection on usage page 0x8C (HID-POS barcode scanner) is a scanner in HID-POS mode; a
 * keyboard collection (page 0x01, usage 0x06) is a wedge scanner when its vendor is a scanner maker or its product
 * or manufacturer string says so. Everything else (mice, real keyboards, FIDO keys) is left out.
 */
export function classifyScanner(d: HidDeviceInfo): ScannerMode | undefined {
  if (d.usagePage === USAGE_PAGE.BARCODE_SCANNER) return 'hid-pos';
  const keyboard = d.usagePage === USAGE_PAGE.GENERIC_DESKTOP && d.usage === USAGE_KEYBOARD;
  const named = SCANNER_NAME.test(`${d.product ?? ''} ${d.manufacturer ?? ''}`);
  return keyboard && (SCANNER_VENDOR_IDS.has(d.vendorId) || named) ? 'keyboard' : undefined;
}

type NodeHid = typeof import('node-hid');

let nodeHid: Promise<NodeHid> | undefined;

async function loadNodeHid(): Promise<NodeHid> {
  nodeHid ??= import('node-hid').then(
    (m) => ((m as { default?: NodeHid }).default ?? m) as NodeHid,
    (cause) => {
      nodeHid = undefined;
      throw new EmrtdError('unsupported', 'node-hid could not be loaded (is libusb-1.0 installed?)', {
        cause,
        step: 'hid-load',
      });
    },
  );
  return nodeHid;
}

export interface ListScannersOptions {
  /** Device enumeration; defaults to node-hid's devicesAsync(). */
  enumerate?: () => Promise<HidDeviceInfo[]>;
}

/** Likely QR/MRZ scanners, HID-POS first. [] when there are none (or no HID devices at all). */
export async function listScanners(options: ListScannersOptions = {}): Promise<ScannerInfo[]> {
  const enumerate = options.enumerate ?? (async () => (await loadNodeHid()).devicesAsync());
  let devices: HidDeviceInfo[];
  try {
    devices = await enumerate();
  } catch (cause) {
    if (cause instanceof EmrtdError) throw cause;
    throw new EmrtdError('transport', 'HID device enumeration failed', { cause, step: 'hid-list', retriable: true });
  }
  const found: ScannerInfo[] = [];
  for (const d of devices) {
    const mode = classifyScanner(d);
    if (mode) found.push({ ...d, mode });
  }
  return found.sort((a, b) => Number(b.mode === 'hid-pos') - Number(a.mode === 'hid-pos'));
}

export interface OpenOptions {
  /** Share the device with other readers (node-hid `nonExclusive`, macOS only). */
  nonExclusive?: boolean;
}

/** Opens a scanner with node-hid's HIDAsync. Errors name the step, not the device's data. */
export async function openHidScanner(target: HidTarget, options: OpenOptions = {}): Promise<HidDevice> {
  const hid = await loadNodeHid();
  const openOptions = options.nonExclusive === undefined ? {} : { nonExclusive: options.nonExclusive };
  try {
    return 'path' in target
      ? await hid.HIDAsync.open(target.path, openOptions)
      : await hid.HIDAsync.open(target.vendorId, target.productId, openOptions);
  } catch (cause) {
    throw new EmrtdError(
      'transport',
      'could not open the HID scanner (on Windows and macOS a keyboard-mode scanner belongs to the OS: switch it to HID-POS)',
      { cause, step: 'hid-open', retriable: true },
    );
  }
}
