export * from './constants.js';
export * from './common.js';
export * from './v3.js';
export * from './v1.js';
