/** What a report decoder tells the scan assembler. Decoders are pure state machines: no timers, no I/O. */
export type DecoderEvent =
  /** Characters of the scan in progress. */
  | { type: 'chars'; text: string }
  /** The scanner marked the end of a scan: Enter in keyboard mode, the last report of a barcode in HID-POS mode. */
  | { type: 'end'; aim?: string };

export type ScannerMode = 'keyboard' | 'hid-pos';

export interface ReportDecoder {
  readonly mode: ScannerMode;
  /** True while the decoder holds a partial unit (an Alt code, a Unicode entry, a multi-report barcode). */
  readonly busy: boolean;
  /** Never throws: a report it cannot understand is dropped. */
  push(report: Uint8Array): DecoderEvent[];
  reset(): void;
}
