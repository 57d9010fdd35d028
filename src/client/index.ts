/** The NFS client library: RPC transports, program clients, and a file-system layer. */
export { authSys, processAuth, type AuthSysOptions } from './auth.js';
export { RpcConnectionError, RpcError, RpcTimeoutError, type RpcErrorKind } from './errors.js';
export type { CallOptions, RpcTransport, TransportOptions } from './rpc-base.js';
export { RpcClient, type RpcClientOptions } from './rpc-client.js';
export { RpcUdpClient, type RpcUdpClientOptions } from './rpc-udp-client.js';
export { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
export { PortmapClient, type PortmapConnectOptions } from './portmap.js';
export { MountClient, MountError, mountStatName } from './mount.js';
export { Nfs3Client, NfsClientError, nfsStatName, type FailOf, type OkOf } from './nfs3.js';
export { NfsFs, type DirEntry, type NfsFsOptions, type NfsMountOptions, type Resolved } from './fs.js';
export { NlmClient, type NlmConnectOptions, type NlmMessageName, type NlmVersion } from './nlm.js';
export { NsmClient } from './nsm.js';
