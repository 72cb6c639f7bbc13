export * from './access-key.js';
export * from './cccd-qr.js';
