export * from './read.js';
export * from './session.js';
export * from './types.js';
export { dataGroupsOf, verifyRead } from './verification.js';
