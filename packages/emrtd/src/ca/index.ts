export * from './chip-auth.js';
export * from './parameters.js';
