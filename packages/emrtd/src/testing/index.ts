/**
 * @cccd/emrtd/testing: test helpers and fixtures, for this repo's tests only. It is not in package.json's exports
 * and not built into dist/ (tsconfig excludes src/testing); tests reach it through the vitest alias and the
 * tsconfig.test.json path.
 */
export * from './chip-matrix.js';
export * from './der.js';
export * from './fuzz-runs.js';
export * from './lds-fixtures.js';
export * from './personal-values.js';
export * from './profile-view.js';
export * from './real-trust.js';
export * from './reliability.js';
export * from './vectors.js';
