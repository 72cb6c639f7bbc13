export * from './chip-profile.js';
export * from './client.js';
export * from './emitter.js';
export * from './errors.js';
export * from './profiles.js';
export * from './protocol.js';
export * from './signature.js';
export * from './trust-bundle.js';
