import type { Transport } from '@cccd/emrtd';

export type ReaderKind = 'pcsc' | 'simulated';

/** A connected card for the duration of one read. */
export interface CardLink {
  transport: Transport;
  close(): Promise<void>;
}

export interface OpenOptions {
  signal: AbortSignal;
  /** How long to wait for a card to be presented. */
  waitCardTimeoutMs: number;
}

/** One physical or simulated reader, as the hub sees it. */
export interface Reader {
  readonly readerId: string;
  readonly name: string;
  readonly kind: ReaderKind;
  cardPresent(): boolean;
  /** Waits (bounded) for a card and connects to it. */
  open(options: OpenOptions): Promise<CardLink>;
}

export interface ReaderSourceEvents {
  attached: [Reader];
  detached: [Reader];
  'card-inserted': [Reader];
  'card-removed': [Reader];
  status: [];
}
