export * from './bac.js';
