import type { CandidateKey } from '@cccd/emrtd';
import { type OpenOptions, openHidScanner, type ScannerInfo } from './device.js';
import { QrScanner, type QrScannerOptions } from './scanner.js';

/** Opens a scanner found by listScanners() and decodes it in the mode it was classified in. */
export async function openQrScanner<K = CandidateKey[]>(
  scanner: ScannerInfo,
  options: QrScannerOptions<K> & OpenOptions = {},
): Promise<QrScanner<K>> {
  const target = scanner.path ? { path: scanner.path } : { vendorId: scanner.vendorId, productId: scanner.productId };
  const device = await openHidScanner(
    target,
    options.nonExclusive === undefined ? {} : { nonExclusive: options.nonExclusive },
  );
  return new QrScanner<K>(device, { mode: scanner.mode, ...options });
}
