export * from './channel.js';
export * from './command.js';
export * from './response.js';
export * from './scripted-transport.js';
export * from './status.js';
