/**
 * nfs-node: a user-space NFSv3 server that never keeps an idle export busy,
 * its backends, and an NFS client.
 */

// Server
export {
  NfsServer,
  NFS_PORT,
  NFS_PORT_UNPRIVILEGED,
  type ExportActivity,
  type ExportSpec,
  type NfsServerOptions,
  type ServerAddress,
} from './server/nfs-server.js';
export { DEFAULT_EXPORT_OPTIONS, type Export, type ExportOptions } from './server/exports.js';
export { DEFAULT_LIMITS, type TransferLimits } from './server/env.js';
export { DEFAULT_TCP_LIMITS, type ConnectionStats, type TcpLimits } from './net/tcp.js';
export { createLogger, silentLogger, type LogFields, type Logger, type LoggerOptions, type LogLevel } from './server/log.js';
export { defaultStateDir } from './server/state-dir.js';

// Backends, and what a custom backend implements
export { MemoryBackend, type MemoryBackendOptions } from './backend/memory/index.js';
export { createLocalBackend, LocalBackend, type LocalBackendOptions } from './backend/local/index.js';
export type * from './backend/backend.js';
export { MAX_BACKEND_HANDLE } from './backend/backend.js';
export { NfsError, statusOf } from './backend/errors.js';

// Protocol types shared by backends and the client
export type * from './proto/nfs3/types.js';
export * from './proto/nfs3/constants.js';

// Lock manager and status monitor protocols, for NlmClient and NsmClient
export type * from './proto/nlm/types.js';
export { FshAccess, FshMode, Nlm4Stat } from './proto/nlm/constants.js';
export type * from './proto/nsm/types.js';
export { SmRes } from './proto/nsm/constants.js';

// Client (its DirEntry is renamed: the backend's DirEntry keeps the plain name)
export {
  authSys,
  connectTransport,
  MountClient,
  MountError,
  mountStatName,
  Nfs3Client,
  NfsClientError,
  NlmClient,
  NsmClient,
  NfsFs,
  nfsStatName,
  PortmapClient,
  processAuth,
  ProgramClient,
  RpcClient,
  RpcConnectionError,
  RpcError,
  RpcTimeoutError,
  RpcUdpClient,
  type AuthSysOptions,
  type CallOptions,
  type ConnectOptions,
  type DirEntry as NfsFsDirEntry,
  type FailOf,
  type NfsFsOptions,
  type NfsMountOptions,
  type NlmConnectOptions,
  type OkOf,
  type PortmapConnectOptions,
  type Resolved,
  type RpcClientOptions,
  type RpcErrorKind,
  type RpcTransport,
  type RpcUdpClientOptions,
  type TransportOptions,
} from './client/index.js';
