export * from './mapping.js';
export * from './pace.js';
