export * from './file-reader.js';
export * from './files.js';
export * from './read-cccd.js';
export * from './read-size.js';
export * from './session.js';
