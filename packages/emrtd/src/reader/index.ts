export * from './file-reader.js';
export * from './files.js';
export * from './read-size.js';
