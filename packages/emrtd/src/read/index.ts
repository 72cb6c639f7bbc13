export * from './read-cccd.js';
export * from './session.js';
export * from './verified-read.js';
