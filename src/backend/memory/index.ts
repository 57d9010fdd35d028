export { MemoryBackend, type MemoryBackendOptions } from './backend.js';
