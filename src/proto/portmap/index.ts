export * from './constants.js';
export * from './uaddr.js';
export * from './pmap.js';
export * from './rpcb.js';
