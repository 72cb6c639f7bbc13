export * from './secure-channel.js';
export * from './secure-messaging.js';
