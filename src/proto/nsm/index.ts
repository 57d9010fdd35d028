export * from './constants.js';
export * from './types.js';
export * from './sm.js';
