export * from './active-auth.js';
