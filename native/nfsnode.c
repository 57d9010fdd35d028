/*
 * nfsnode: the kernel services the local backend needs and Node lacks.
 *
 * - Kernel file handles (name_to_handle_at / open_by_handle_at): a handle
 *   names an inode by (inode, generation) on one filesystem, so it survives
 *   renames, server restarts and remounts, and a deleted file's handle fails
 *   with ESTALE instead of reaching the file that reuses its inode number.
 * - Every operation that touches the filesystem is an async work item on the
 *   libuv threadpool and settles a Promise: a stalled disk stalls one call,
 *   never the event loop.
 * - Operations done for a client run under the client's filesystem identity
 *   on the worker thread (see become()), so the kernel itself enforces
 *   permissions, sticky directories, setgid inheritance and the ownership of
 *   new files exactly as it would for a local process.
 *
 * One entry point, call(op, creds, params, b0, b1, b2, b3, data), keeps the
 * argument handling in one reviewed place. hold() takes the same arguments
 * but only collects the job; flush() then runs the collected jobs as one
 * work item per group (jobs whose first parameter, a mount or file
 * descriptor, is the same object), each group in order on one pool thread:
 * calls that arrive together cost one thread wakeup and one completion
 * instead of one each. The backend holds only short operations.
 * Results are a Buffer whose layout each op documents;
 * src/backend/local/native.ts decodes them.
 *   creds:  Uint32Array [uid, gid, ngroups, gid...] or null (act as the server)
 *   params: Float64Array of numeric arguments (fds, offsets, modes, ...)
 *   b0..b3: small Buffers (handles, names, paths), copied
 *   data:   a Buffer held by reference for the duration (read target, write source)
 * Failures reject with an Error whose `code` is the errno name ('ENOENT').
 *
 * Record layouts (little-endian):
 *   S (stat, 112 bytes): mode u32, nlink u32, uid u32, gid u32, rdev major u32,
 *     rdev minor u32, size u64, blocks u64, ino u64, atime (sec i64, nsec u32,
 *     pad u32), mtime (same), ctime (same), mnt_id u64, dev major u32, dev minor u32
 *   H (handle): u8 length L, then L bytes = u8 kernel handle type + handle bytes
 *   F (fattr3, 84 bytes): the NFSv3 attributes in XDR (big-endian), see put_fattr3()
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define MAX_GROUPS 64
/* MAX_BACKEND_HANDLE in src/backend/backend.ts. */
#define MAX_BACKEND_HANDLE 44
#define NPARAMS 16
#define NBUFS 4
#define MAX_SMALL_BUF 8192
#define STAT_BYTES 112

enum op {
  OP_OPEN_ROOT,
  OP_GETATTR,
  OP_STATFS,
  OP_LOOKUP,
  OP_LOOKUP_MANY,
  OP_ACCESS,
  OP_READLINK,
  OP_OPEN_FILE,
  OP_PREAD,
  OP_PWRITE,
  OP_FSYNC,
  OP_SETATTR,
  OP_CREATE,
  OP_REMOVE,
  OP_RENAME,
  OP_LINK,
  OP_LISTDIR,
  OP_CLOSE,
  OP_COUNT
};

/* Private status for a failed SETATTR guard; rejected with code 'NOT_SYNC'. */
#define ERR_NOT_SYNC 100000

typedef struct {
  uint8_t *p;
  size_t len, cap;
  int oom;
} out_t;

typedef struct job {
  napi_async_work work;
  napi_deferred deferred;
  /* Next job of the same batch (see hold()). */
  struct job *next;
  int op;
  int has_creds, became;
  uid_t uid;
  gid_t gid;
  int ngroups;
  gid_t groups[MAX_GROUPS];
  double p[NPARAMS];
  uint8_t *b[NBUFS];
  size_t blen[NBUFS];
  napi_ref data_ref;
  uint8_t *data;
  size_t data_len;
  int err;
  const char *syscall;
  /* A descriptor the result hands to JS: closed here if the result never gets there. */
  int ret_fd;
  /* The attributes resolve() read to check the object is still linked, for
   * read-only ops to report instead of a second statx (put_resolved_stat()). */
  int resolved_fd;
  struct statx resolved;
  out_t out;
} job_t;

/* The server's own identity, restored after each job that acted for a client. */
static uid_t server_uid;
static gid_t server_gid;
static int server_ngroups;
static gid_t server_groups[MAX_GROUPS];

/* ---- output buffer ---- */

static void put(job_t *j, const void *src, size_t n) {
  out_t *o = &j->out;
  if (o->oom) return;
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n) cap *= 2;
    uint8_t *np = realloc(o->p, cap);
    if (!np) {
      o->oom = 1;
      return;
    }
    o->p = np;
    o->cap = cap;
  }
  memcpy(o->p + o->len, src, n);
  o->len += n;
}

/* x86-64 and aarch64 are little-endian; the JS decoder reads LE. */
static void put_u8(job_t *j, uint8_t v) { put(j, &v, 1); }
static void put_u32(job_t *j, uint32_t v) { put(j, &v, 4); }
static void put_i32(job_t *j, int32_t v) { put(j, &v, 4); }
static void put_u64(job_t *j, uint64_t v) { put(j, &v, 8); }

/* Records the first failure only: later cleanup failures must not mask it. */
static int fail(job_t *j, const char *sc) {
  if (!j->err) {
    j->err = errno ? errno : EIO;
    j->syscall = sc;
  }
  return -1;
}

static int fail_with(job_t *j, int e, const char *sc) {
  errno = e;
  return fail(j, sc);
}

static void close_quiet(int fd) {
  if (fd >= 0) close(fd);
}

/* ---- per-thread credentials ----
 *
 * setfsuid/setfsgid change only the calling thread's filesystem identity,
 * and the raw setgroups syscall only the calling thread's groups. glibc's
 * setgroups()/setuid() wrappers would broadcast the change to every thread
 * of the process (POSIX semantics), which would let one client's identity
 * leak into every concurrent job, so they must not be used here. Changing
 * fsuid away from 0 also drops the filesystem capabilities (DAC override,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN, ...) of this thread, which is
 * why handles are resolved before become() and never after.
 */
static int set_ids(uid_t uid, gid_t gid, int ngroups, const gid_t *groups) {
  if (syscall(SYS_setgroups, (size_t)ngroups, groups) != 0) return -1;
  syscall(SYS_setfsgid, gid);
  /* setfsgid/setfsuid report no error; read back (-1 changes nothing) to verify. */
  if ((gid_t)syscall(SYS_setfsgid, (gid_t)-1) != gid) {
    errno = EPERM;
    return -1;
  }
  syscall(SYS_setfsuid, uid);
  if ((uid_t)syscall(SYS_setfsuid, (uid_t)-1) != uid) {
    errno = EPERM;
    return -1;
  }
  return 0;
}

/* Whether the job's identity is exactly the server's, which every pool thread
 * has between jobs: acting as it changes nothing (a root client without root
 * squashing, when the server runs as root with no supplementary groups). */
static int is_server_identity(const job_t *j) {
  return j->uid == server_uid && j->gid == server_gid && j->ngroups == server_ngroups &&
         memcmp(j->groups, server_groups, (size_t)j->ngroups * sizeof(gid_t)) == 0;
}

static int become(job_t *j) {
  if (!j->has_creds || is_server_identity(j)) return 0;
  j->became = 1;
  if (set_ids(j->uid, j->gid, j->ngroups, j->groups) != 0) return fail(j, "setfsuid");
  return 0;
}

static void unbecome(job_t *j) {
  if (!j->became) return;
  j->became = 0;
  /* A worker thread left with a client's identity would run unrelated work
   * (Node's own fs calls share the threadpool) as that client: never continue. */
  int saved = errno;
  if (set_ids(server_uid, server_gid, server_ngroups, server_groups) != 0) {
    fprintf(stderr, "nfsnode: cannot restore server credentials (errno %d)\n", errno);
    abort();
  }
  errno = saved;
}

/* ---- records ---- */

static void le32(uint8_t *d, uint32_t v) { memcpy(d, &v, 4); }
static void le64(uint8_t *d, uint64_t v) { memcpy(d, &v, 8); }

#define STAT_MASK (STATX_BASIC_STATS | STATX_MNT_ID)

/* An S record of sx into dst. */
static void encode_stat(const struct statx *sx, uint8_t dst[STAT_BYTES]) {
  memset(dst, 0, STAT_BYTES);
  le32(dst + 0, sx->stx_mode);
  le32(dst + 4, sx->stx_nlink);
  le32(dst + 8, sx->stx_uid);
  le32(dst + 12, sx->stx_gid);
  le32(dst + 16, sx->stx_rdev_major);
  le32(dst + 20, sx->stx_rdev_minor);
  le64(dst + 24, sx->stx_size);
  le64(dst + 32, sx->stx_blocks);
  le64(dst + 40, sx->stx_ino);
  const struct statx_timestamp *ts[3] = {&sx->stx_atime, &sx->stx_mtime, &sx->stx_ctime};
  for (int i = 0; i < 3; i++) {
    le64(dst + 48 + 16 * i, (uint64_t)ts[i]->tv_sec);
    le32(dst + 56 + 16 * i, ts[i]->tv_nsec);
  }
  le64(dst + 96, (sx->stx_mask & STATX_MNT_ID) ? sx->stx_mnt_id : 0);
  le32(dst + 104, sx->stx_dev_major);
  le32(dst + 108, sx->stx_dev_minor);
}

/* Serialises an S record of fd into dst. */
static int read_stat(job_t *j, int fd, uint8_t dst[STAT_BYTES]) {
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STAT_MASK, &sx) != 0) return fail(j, "statx");
  encode_stat(&sx, dst);
  return 0;
}

static void put_statx(job_t *j, const struct statx *sx) {
  uint8_t b[STAT_BYTES];
  encode_stat(sx, b);
  put(j, b, STAT_BYTES);
}

static int put_stat(job_t *j, int fd) {
  uint8_t b[STAT_BYTES];
  if (read_stat(j, fd, b) != 0) return -1;
  put(j, b, STAT_BYTES);
  return 0;
}

static int stat_fd(job_t *j, int fd, struct statx *sx) {
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, sx) != 0) return fail(j, "statx");
  return 0;
}

typedef union {
  struct file_handle fh;
  unsigned char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
} handle_buf_t;

/* The backend handle of an open object: kernel handle type (one byte) + handle bytes. */
/* The handle of `name` in `dfd` (not following a final symlink), or of `dfd` itself with AT_EMPTY_PATH. */
static int put_handle_at(job_t *j, int dfd, const char *name, int flags) {
  handle_buf_t u;
  int mount_id;
  u.fh.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at(dfd, name, &u.fh, &mount_id, flags) != 0) return fail(j, "name_to_handle_at");
  if (u.fh.handle_type < 0 || u.fh.handle_type > 255 || u.fh.handle_bytes + 1 > MAX_BACKEND_HANDLE)
    return fail_with(j, EOVERFLOW, "name_to_handle_at");
  put_u8(j, (uint8_t)(u.fh.handle_bytes + 1));
  put_u8(j, (uint8_t)u.fh.handle_type);
  put(j, u.fh.f_handle, u.fh.handle_bytes);
  return 0;
}

static int put_handle(job_t *j, int fd) { return put_handle_at(j, fd, "", AT_EMPTY_PATH); }

/* A removed object that something still holds open stays reachable by
 * handle in the kernel; for NFS it is gone, and its handle is stale.
 * Leaves the object's attributes in *sx. */
static int check_linked(job_t *j, int fd, struct statx *sx) {
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STAT_MASK, sx) != 0) return fail(j, "statx");
  if (sx->stx_nlink == 0) return fail_with(j, ESTALE, "open_by_handle_at");
  return 0;
}

/* The S record of a descriptor resolve() just returned, from the statx it
 * made: for ops that have changed nothing since, this is what a second statx
 * would read (both within one job, before any reply exists). */
static int put_resolved_stat(job_t *j, int fd) {
  if (fd != j->resolved_fd) return put_stat(j, fd);
  put_statx(j, &j->resolved);
  return 0;
}

/* Opens the object a backend handle names. Needs CAP_DAC_READ_SEARCH: call before become(). */
static int resolve(job_t *j, int mount_fd, int bi, int flags) {
  const uint8_t *h = j->b[bi];
  size_t len = j->blen[bi];
  handle_buf_t u;
  if (!h || len < 2 || len > MAX_BACKEND_HANDLE) {
    fail_with(j, ESTALE, "open_by_handle_at");
    return -1;
  }
  u.fh.handle_type = h[0];
  u.fh.handle_bytes = (unsigned)(len - 1);
  memcpy(u.fh.f_handle, h + 1, len - 1);
  int fd = open_by_handle_at(mount_fd, &u.fh, flags | O_CLOEXEC);
  if (fd < 0) {
    /* A handle the filesystem cannot decode names nothing that exists now. */
    if (errno == EINVAL || errno == ENOENT) errno = ESTALE;
    fail(j, "open_by_handle_at");
    return -1;
  }
  if (check_linked(j, fd, &j->resolved) != 0) {
    close(fd);
    return -1;
  }
  j->resolved_fd = fd;
  return fd;
}

/* A single path component: defence in depth behind the NFS layer's checks. */
static const char *name_arg(job_t *j, int bi) {
  const char *n = (const char *)j->b[bi];
  size_t len = j->blen[bi];
  if (!n || len == 0) {
    fail_with(j, ENOENT, "name");
    return NULL;
  }
  if (len > 255) {
    fail_with(j, ENAMETOOLONG, "name");
    return NULL;
  }
  if (memchr(n, '/', len) || strlen(n) != len) {
    fail_with(j, EINVAL, "name");
    return NULL;
  }
  return n;
}

static int mount_arg(job_t *j) { return (int)j->p[0]; }

/* Owner override (as knfsd): the owner may read/write its file whatever the
 * mode, because clients check modes at open time and then write through,
 * e.g. a file created 0444 by `cp`. Others get the kernel's verdict. */
static int io_allowed(job_t *j, int fd, const struct statx *sx, int want) {
  if (!j->has_creds || sx->stx_uid == j->uid) return 0;
  if (syscall(SYS_faccessat2, fd, "", want, AT_EMPTY_PATH | AT_EACCESS) == 0) return 0;
  /* Clients execute files by READing them: execute permission allows reads. */
  if (want == R_OK && syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0) return 0;
  return fail(j, "faccessat2");
}

/* Permission bits the umask removed at creation are put back: the client already applied its own umask. */
static int fix_mode(job_t *j, int fd, mode_t wanted) {
  struct statx sx;
  if (stat_fd(j, fd, &sx) != 0) return -1;
  if ((wanted & 0777 & ~sx.stx_mode) == 0) return 0;
  mode_t m = (sx.stx_mode & 07000) | (wanted & 0777);
  if (syscall(SYS_fchmodat2, fd, "", m, AT_EMPTY_PATH) != 0) return fail(j, "fchmodat2");
  return 0;
}

/* ---- operations ---- */

/* b0 path. Out: i32 fd, u32 fsid[0], u32 fsid[1], u64 f_type, H, S. */
static void op_open_root(job_t *j) {
  const char *path = (const char *)j->b[0];
  struct statfs sf;
  if (!path || strlen(path) != j->blen[0]) {
    fail_with(j, EINVAL, "open");
    return;
  }
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fail(j, "open");
    return;
  }
  if (fstatfs(fd, &sf) != 0) {
    fail(j, "fstatfs");
    close_quiet(fd);
    return;
  }
  int fsid[2];
  memcpy(fsid, &sf.f_fsid, sizeof fsid);
  put_i32(j, fd);
  j->ret_fd = fd;
  put_u32(j, (uint32_t)fsid[0]);
  put_u32(j, (uint32_t)fsid[1]);
  put_u64(j, (uint64_t)sf.f_type);
  put_handle(j, fd);
  put_stat(j, fd);
}

/* What changes the attributes of a watched object, or of a directory's entries. */
#define WATCH_MASK                                                                                             \
  (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
   IN_DELETE_SELF | IN_MOVE_SELF)

/* Watches what fd names on inotify descriptor ifd (-1: none), with every watch's mask (inotify gives
 * one watch per inode and descriptor, whoever adds it: a different mask would replace the other's).
 * Not being able to watch (the user's watch limit) only means nothing is reused: -1. */
static int add_watch(int ifd, int fd, uint32_t flags) {
  char path[64];
  if (ifd < 0) return -1;
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return inotify_add_watch(ifd, path, WATCH_MASK | flags);
}

/* The S record of fd, with a watch on it on ifd (unless -1) added before the attributes were read,
 * so any later change to them that inotify sees is reported (entry-attrs.ts): *wd, -1 for none. sx
 * is a statx of fd made earlier in this job, enough for a symbolic link: those are not watched (the
 * watch would be added through /proc's link to the descriptor, which would follow them). */
static int put_watched_stat(job_t *j, int ifd, int fd, const struct statx *sx, int *wd) {
  *wd = S_ISLNK(sx->stx_mode) ? -1 : add_watch(ifd, fd, 0);
  if (*wd >= 0) return put_stat(j, fd);
  put_statx(j, sx);
  return 0;
}

/* p0 mount, p1 inotify descriptor or -1, b0 handle. Out: S, i32 the watch descriptor of the object
 * (-1: none; see put_watched_stat). */
static void op_getattr(job_t *j) {
  int fd = resolve(j, mount_arg(j), 0, O_PATH), wd;
  if (fd < 0) return;
  if (put_watched_stat(j, (int)j->p[1], fd, &j->resolved, &wd) == 0) put_i32(j, wd);
  close_quiet(fd);
}

/* p0 mount, b0 handle. Out: u64 bsize, frsize, blocks, bfree, bavail, files, ffree, namelen, f_type, S. */
static void op_statfs(job_t *j) {
  struct statfs sf;
  int fd = resolve(j, mount_arg(j), 0, O_PATH);
  if (fd < 0) return;
  if (fstatfs(fd, &sf) != 0) {
    fail(j, "fstatfs");
  } else {
    uint64_t v[] = {sf.f_bsize, sf.f_frsize, sf.f_blocks, sf.f_bfree, sf.f_bavail,
                    sf.f_files, sf.f_ffree, sf.f_namelen, (uint64_t)sf.f_type};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) put_u64(j, v[i]);
    put_resolved_stat(j, fd);
  }
  close_quiet(fd);
}

/* The object a name in an open directory names, opened without following symlinks. As the caller. */
static int open_child(job_t *j, int dfd, const char *name) {
  int fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) fail(j, "openat");
  return fd;
}

/* Whether a handle names the inode whose attributes are in sx, for the one
 * layout known to start with the inode number: FILEID_INO32_GEN of 8 bytes
 * (u32 inode, u32 generation), as ext2/3/4 and others using the kernel's
 * generic encoder issue. Anything else (tmpfs uses type 1 with another
 * layout and length) returns 0: not known. */
static int handle_is(const struct file_handle *fh, const struct statx *sx) {
  uint32_t ino;
  if (fh->handle_type != 1 || fh->handle_bytes != 8 || sx->stx_ino > UINT32_MAX) return 0;
  memcpy(&ino, fh->f_handle, 4);
  return ino == sx->stx_ino;
}

/* The handle and attributes of a name in an open directory without opening
 * it: name_to_handle_at, then statx, both by name. Returns 0 when both are
 * known to describe one object (an FILEID_INO32_GEN handle of that inode on
 * that mount: if the name changed in between to another inode, the numbers
 * differ; if the inode was freed and its number reused, the handle carries
 * the old generation and is stale, so the attributes describe nothing a
 * client can reach), an errno, or -1 when it cannot tell (then open the name). */
static int by_name(int dfd, const char *name, handle_buf_t *u, struct statx *sx) {
  int mount_id;
  u->fh.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at(dfd, name, &u->fh, &mount_id, 0) != 0) return errno;
  if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STAT_MASK | STATX_BTIME, sx) != 0) return errno;
  if (!handle_is(&u->fh, sx) || !(sx->stx_mask & STATX_MNT_ID) || sx->stx_mnt_id != (uint64_t)mount_id) return -1;
  return u->fh.handle_bytes + 1 > MAX_BACKEND_HANDLE ? EOVERFLOW : 0;
}

/* p0 mount, p1 inotify descriptor or -1, b0 dir handle, b1 name. Out: H, S, S(dir), i32 the watch
 * descriptors of the directory and of the object (-1: none). As the caller; by name when by_name()
 * can vouch for the result (two syscalls), else by opening the name (which also gives the
 * definitive error). With an inotify descriptor the directory is watched before the name is looked
 * up, so a later change to the name is reported, and the object as put_watched_stat() does. */
static void op_lookup(job_t *j) {
  int fd = -1, dfd = resolve(j, mount_arg(j), 0, O_PATH), dwd = -1, wd = -1;
  const char *name = name_arg(j, 1);
  handle_buf_t u;
  struct statx sx;
  if (dfd < 0 || !name) goto done;
  dwd = add_watch((int)j->p[1], dfd, IN_ONLYDIR);
  if (become(j) == 0) {
    if (dwd < 0 && by_name(dfd, name, &u, &sx) == 0) {
      unbecome(j);
      put_u8(j, (uint8_t)(u.fh.handle_bytes + 1));
      put_u8(j, (uint8_t)u.fh.handle_type);
      put(j, u.fh.f_handle, u.fh.handle_bytes);
      put_statx(j, &sx);
      put_resolved_stat(j, dfd);
      put_i32(j, -1);
      put_i32(j, -1);
      goto done;
    }
    fd = open_child(j, dfd, name);
  }
  unbecome(j);
  if (fd < 0) goto done;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STAT_MASK, &sx) != 0) {
    fail(j, "statx");
    goto done;
  }
  /* The directory's attributes after its watch was added, not resolve()'s from before. */
  if (put_handle(j, fd) == 0 && put_watched_stat(j, (int)j->p[1], fd, &sx, &wd) == 0 &&
      (dwd < 0 ? put_resolved_stat(j, dfd) : put_stat(j, dfd)) == 0) {
    put_i32(j, dwd);
    put_i32(j, wd);
  }
done:
  close_quiet(fd);
  close_quiet(dfd);
}

/* A name of an op_lookup_many request, with what the caller already knows of it. */
typedef struct {
  char name[256];
  size_t len;
  /* The inode number the directory listing gave the name. */
  uint64_t ino;
  /* The birth time of the inode the caller holds a handle for; btime_nsec is NO_BTIME when it holds none. */
  int64_t btime_sec;
  uint32_t btime_nsec;
} lm_name_t;

#define NO_BTIME 0xffffffffu
/* Flags of a found entry: a handle (and its btime) follows; the inode number differs from the listing's. */
#define LM_HANDLE 1
#define LM_FILEID 2

static void be32(uint8_t *d, uint32_t v) {
  d[0] = (uint8_t)(v >> 24);
  d[1] = (uint8_t)(v >> 16);
  d[2] = (uint8_t)(v >> 8);
  d[3] = (uint8_t)v;
}

static void be64(uint8_t *d, uint64_t v) {
  be32(d, (uint32_t)(v >> 32));
  be32(d + 4, (uint32_t)v);
}

/* ftype3 of a mode (RFC 1813 section 2.5); 0 for none. */
static uint32_t ftype_of(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFREG: return 1;
    case S_IFDIR: return 2;
    case S_IFBLK: return 3;
    case S_IFCHR: return 4;
    case S_IFLNK: return 5;
    case S_IFSOCK: return 6;
    case S_IFIFO: return 7;
    default: return 0;
  }
}

/* An F record: the fattr3 of sx in XDR (84 bytes, big-endian), as
 * src/backend/local/attrs.ts packFattr() makes it from an S record; fsid is
 * the export's. For READDIRPLUS, which passes hundreds of them on as they are. */
static void put_fattr3(job_t *j, const struct statx *sx, uint64_t fsid) {
  uint8_t d[84];
  be32(d, ftype_of(sx->stx_mode));
  be32(d + 4, sx->stx_mode & 07777);
  be32(d + 8, sx->stx_nlink);
  be32(d + 12, sx->stx_uid);
  be32(d + 16, sx->stx_gid);
  be64(d + 20, sx->stx_size);
  be64(d + 28, sx->stx_blocks * 512);
  be32(d + 36, sx->stx_rdev_major);
  be32(d + 40, sx->stx_rdev_minor);
  be64(d + 44, fsid);
  be64(d + 52, sx->stx_ino);
  const struct statx_timestamp *ts[3] = {&sx->stx_atime, &sx->stx_mtime, &sx->stx_ctime};
  for (int i = 0; i < 3; i++) {
    /* NFSv3 seconds are unsigned 32-bit: pre-1970 times wrap, as knfsd's do. */
    be32(d + 60 + 8 * i, (uint32_t)ts[i]->tv_sec);
    be32(d + 64 + 8 * i, ts[i]->tv_nsec);
  }
  put(j, d, sizeof d);
}

/* p2, p3 of op_lookup_many: the export's fsid, high and low words. */
static uint64_t fsid_arg(job_t *j) { return ((uint64_t)(uint32_t)j->p[2] << 32) | (uint32_t)j->p[3]; }

/* The record of a found entry: flags, then (when h is given) H and the btime
 * under which the caller may keep that handle (NO_BTIME: it may not), then F. */
static void put_found(job_t *j, const lm_name_t *n, const struct statx *sx, const struct file_handle *h) {
  put_i32(j, 0);
  put_u8(j, (uint8_t)((h ? LM_HANDLE : 0) | (sx->stx_ino != n->ino ? LM_FILEID : 0)));
  if (h) {
    int keep = (sx->stx_mask & STATX_BTIME) && sx->stx_ino == n->ino;
    int64_t sec = keep ? sx->stx_btime.tv_sec : 0;
    put_u8(j, (uint8_t)(h->handle_bytes + 1));
    put_u8(j, (uint8_t)h->handle_type);
    put(j, h->f_handle, h->handle_bytes);
    put(j, &sec, 8);
    put_u32(j, keep ? sx->stx_btime.tv_nsec : NO_BTIME);
  }
  put_fattr3(j, sx, fsid_arg(j));
}

/* Whether sx, read by name just now, is the inode incarnation the caller's
 * handle was made for: the same inode number and birth time. A freed inode
 * whose number is reused gets a new generation (so a new handle) and a new
 * birth time; with the directory unchanged too (the caller keeps handles only
 * as long as its listing, which checks that), the name still leads where the
 * handle does. */
static int is_cached_object(const struct statx *sx, const lm_name_t *n) {
  return n->btime_nsec != NO_BTIME && (sx->stx_mask & STATX_BTIME) && sx->stx_ino == n->ino &&
         sx->stx_btime.tv_sec == n->btime_sec && sx->stx_btime.tv_nsec == n->btime_nsec;
}

/* 0 for an entry READDIRPLUS can describe; EXDEV when it is on another mount
 * than the directory (a mount point inside the export), EIO for a file type
 * NFSv3 has no name for. */
static int unusable(job_t *j, const struct statx *sx) {
  if (!(sx->stx_mask & STATX_MNT_ID) || !(j->resolved.stx_mask & STATX_MNT_ID) || sx->stx_mnt_id != j->resolved.stx_mnt_id)
    return EXDEV;
  return ftype_of(sx->stx_mode) ? 0 : EIO;
}

/* One entry of op_lookup_many by name, without opening it: the handle, then
 * the attributes, both relative to the directory. Returns 0 with the record
 * written, an errno, or -1 when it cannot tell that the two belong to the
 * same object (another handle type, or the name changed in between). */
static int lookup_entry_by_name(job_t *j, int dfd, const lm_name_t *n) {
  handle_buf_t u;
  struct statx sx;
  int e = by_name(dfd, n->name, &u, &sx);
  if (e == 0) e = unusable(j, &sx);
  if (e == 0) put_found(j, n, &sx, &u.fh);
  return e;
}

/* The same by opening the name: handle and attributes of one open object. Returns 0 or an errno. */
static int lookup_entry_opened(job_t *j, int dfd, const lm_name_t *n) {
  handle_buf_t u;
  int mount_id, e;
  struct statx sx;
  int fd = openat(dfd, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  u.fh.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at(fd, "", &u.fh, &mount_id, AT_EMPTY_PATH) != 0 ||
      statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STAT_MASK | STATX_BTIME, &sx) != 0) {
    e = errno;
  } else if (u.fh.handle_type < 0 || u.fh.handle_type > 255 || u.fh.handle_bytes + 1 > MAX_BACKEND_HANDLE) {
    e = EOVERFLOW;
  } else if ((e = unusable(j, &sx)) == 0) {
    put_found(j, n, &sx, &u.fh);
  }
  close(fd);
  return e;
}

static int lookup_entry(job_t *j, int dfd, const lm_name_t *n) {
  if (n->btime_nsec != NO_BTIME) {
    struct statx sx;
    if (statx(dfd, n->name, AT_SYMLINK_NOFOLLOW, STAT_MASK | STATX_BTIME, &sx) != 0) return errno;
    if (is_cached_object(&sx, n) && !unusable(j, &sx)) {
      put_found(j, n, &sx, NULL);
      return 0;
    }
  }
  int e = lookup_entry_by_name(j, dfd, n);
  return e < 0 ? lookup_entry_opened(j, dfd, n) : e;
}

/* The next name of an op_lookup_many request; 0 at a malformed one. */
static int next_name(const uint8_t **p, const uint8_t *end, lm_name_t *n) {
  const uint8_t *q = *p;
  if (q >= end || end - q < 1 + *q + 20) return 0;
  size_t len = *q++;
  memcpy(n->name, q, len);
  n->name[len] = 0;
  n->len = len;
  q += len;
  memcpy(&n->ino, q, 8);
  memcpy(&n->btime_sec, q + 8, 8);
  memcpy(&n->btime_nsec, q + 16, 4);
  *p = q + 20;
  return 1;
}

/* p0 mount, p1 count, p2 + p3 fsid (high, low word), b0 dir handle, data:
 * per name u8 length, name, u64 the listing's inode number, i64 + u32 birth
 * time of the inode a handle is already held for (nanoseconds NO_BTIME: none).
 * Out per name: i32 status, and when it is 0: u8 LM_* flags, H + i64 + u32
 * btime when LM_HANDLE, then F. A nonzero status is an errno (EXDEV: on
 * another mount); the entry goes without handle and attributes.
 * READDIRPLUS asks for hundreds of names per call: a name whose handle the
 * caller holds takes one statx; others take two syscalls by name, and only
 * the ones whose identity that cannot confirm are opened. */
static void op_lookup_many(job_t *j) {
  int dfd = resolve(j, mount_arg(j), 0, O_PATH);
  if (dfd < 0) return;
  const uint8_t *p = j->data, *end = p ? p + j->data_len : NULL;
  int count = (int)j->p[1];
  lm_name_t n;
  if (become(j) == 0) {
    for (int i = 0; i < count && !j->out.oom; i++) {
      if (!p || !next_name(&p, end, &n)) {
        fail_with(j, EINVAL, "names");
        break;
      }
      int e = n.len == 0 || strlen(n.name) != n.len || memchr(n.name, '/', n.len) ? EINVAL : lookup_entry(j, dfd, &n);
      if (e) put_i32(j, e);
    }
  }
  unbecome(j);
  close_quiet(dfd);
}

/* p0 mount, b0 handle. Out: u32 granted (4 read, 2 write, 1 execute), S. */
static void op_access(job_t *j) {
  static const int modes[3] = {R_OK, W_OK, X_OK};
  int fd = resolve(j, mount_arg(j), 0, O_PATH);
  uint32_t granted = 0;
  if (fd < 0) return;
  if (become(j) == 0) {
    for (int i = 0; i < 3; i++)
      if (syscall(SYS_faccessat2, fd, "", modes[i], AT_EMPTY_PATH | AT_EACCESS) == 0) granted |= (uint32_t)modes[i];
  }
  unbecome(j);
  if (!j->err) {
    put_u32(j, granted);
    put_resolved_stat(j, fd);
  }
  close_quiet(fd);
}

/* p0 mount, b0 handle. Out: S, u32 length, target bytes. */
static void op_readlink(job_t *j) {
  char target[PATH_MAX];
  int fd = resolve(j, mount_arg(j), 0, O_PATH);
  if (fd < 0) return;
  struct statx sx;
  if (stat_fd(j, fd, &sx) != 0) goto done;
  /* readlinkat(fd, "") of a non-link says ENOENT; NFS says INVAL. */
  ssize_t n = S_ISLNK(sx.stx_mode) ? readlinkat(fd, "", target, sizeof target) : (errno = EINVAL, -1);
  if (n < 0) {
    fail(j, "readlinkat");
  } else if (put_stat(j, fd) == 0) {
    put_u32(j, (uint32_t)n);
    put(j, target, (size_t)n);
  }
done:
  close_quiet(fd);
}

/* p0 mount, p1 writable, b0 handle. Out: i32 fd, S. Regular files only, so a
 * READ of a device handle can never read the server's own device. */
static void op_open_file(job_t *j) {
  struct statx sx;
  int fd = -1, pfd = resolve(j, mount_arg(j), 0, O_PATH);
  if (pfd < 0) return;
  if (stat_fd(j, pfd, &sx) != 0) goto done;
  if (S_ISDIR(sx.stx_mode)) {
    fail_with(j, EISDIR, "open");
    goto done;
  }
  if (!S_ISREG(sx.stx_mode)) {
    fail_with(j, EINVAL, "open");
    goto done;
  }
  fd = resolve(j, mount_arg(j), 0, (j->p[1] ? O_RDWR : O_RDONLY) | O_NOCTTY);
  if (fd < 0) goto done;
  put_i32(j, fd);
  j->ret_fd = fd;
  put_stat(j, fd);
done:
  close_quiet(pfd);
}

/* p0 fd, p1 offset, p2 count, data target. Out: u32 bytes read, S. */
static void op_pread(job_t *j) {
  struct statx sx;
  int fd = (int)j->p[0];
  off_t off = (off_t)j->p[1];
  size_t want = (size_t)j->p[2], got = 0;
  if (want > j->data_len) {
    fail_with(j, EINVAL, "pread");
    return;
  }
  if (stat_fd(j, fd, &sx) != 0) return;
  if (sx.stx_nlink == 0) {
    fail_with(j, ESTALE, "pread");
    return;
  }
  if (become(j) == 0 && io_allowed(j, fd, &sx, R_OK) == 0) {
    while (got < want) {
      ssize_t n = pread(fd, j->data + got, want - got, off + (off_t)got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fail(j, "pread");
        break;
      }
      if (n == 0) break;
      got += (size_t)n;
    }
  }
  unbecome(j);
  if (j->err) return;
  put_u32(j, (uint32_t)got);
  put_stat(j, fd);
}

/* p0 fd, p1 offset, p2 stable (0 unstable, 1 data sync, 2 file sync), data source.
 * Out: u32 bytes written, S before, S after. */
static void op_pwrite(job_t *j) {
  struct statx sx;
  int fd = (int)j->p[0], stable = (int)j->p[2];
  off_t off = (off_t)j->p[1];
  size_t done = 0;
  uint8_t before[STAT_BYTES];
  if (stat_fd(j, fd, &sx) != 0 || read_stat(j, fd, before) != 0) return;
  if (sx.stx_nlink == 0) {
    fail_with(j, ESTALE, "pwrite");
    return;
  }
  /* As the caller, so writing clears setuid/setgid bits as it would for a local user. */
  if (become(j) == 0 && io_allowed(j, fd, &sx, W_OK) == 0) {
    while (done < j->data_len) {
      ssize_t n = pwrite(fd, j->data + done, j->data_len - done, off + (off_t)done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        if (done == 0) fail(j, "pwrite");
        break;
      }
      done += (size_t)n;
    }
    if (!j->err && stable == 1 && fdatasync(fd) != 0) fail(j, "fdatasync");
    if (!j->err && stable == 2 && fsync(fd) != 0) fail(j, "fsync");
  }
  unbecome(j);
  if (j->err) return;
  put_u32(j, (uint32_t)done);
  put(j, before, STAT_BYTES);
  put_stat(j, fd);
}

/* p0 fd, p1 datasync. Out: S before, S after. */
static void op_fsync(job_t *j) {
  int fd = (int)j->p[0];
  struct statx sx;
  if (check_linked(j, fd, &sx) != 0 || put_stat(j, fd) != 0) return;
  if ((j->p[1] ? fdatasync(fd) : fsync(fd)) != 0) {
    fail(j, "fsync");
    return;
  }
  put_stat(j, fd);
}

enum {
  SA_MODE = 1,
  SA_UID = 2,
  SA_GID = 4,
  SA_SIZE = 8,
  SA_ATIME = 16,
  SA_ATIME_NOW = 32,
  SA_MTIME = 64,
  SA_MTIME_NOW = 128,
  SA_GUARD = 256
};

static struct timespec time_arg(job_t *j, int set, int now, int pi) {
  struct timespec ts = {0, UTIME_OMIT};
  if (now) ts.tv_nsec = UTIME_NOW;
  else if (set) {
    ts.tv_sec = (time_t)j->p[pi];
    ts.tv_nsec = (long)j->p[pi + 1];
  }
  return ts;
}

/* p0 mount, p1 mask (SA_*), p2 mode, p3 uid, p4 gid, p5 size, p6/p7 atime,
 * p8/p9 mtime, p10/p11 guard ctime; b0 handle. Out: S before, S after.
 * Order as knfsd: size, then owner, then mode, then times. */
static void op_setattr(job_t *j) {
  struct statx sx;
  int mask = (int)j->p[1], wfd = -1;
  int fd = resolve(j, mount_arg(j), 0, O_PATH);
  if (fd < 0) return;
  if (stat_fd(j, fd, &sx) != 0 || put_stat(j, fd) != 0) goto done;
  if ((mask & SA_GUARD) && (sx.stx_ctime.tv_sec != (int64_t)j->p[10] || sx.stx_ctime.tv_nsec != (uint32_t)j->p[11])) {
    fail_with(j, ERR_NOT_SYNC, "setattr");
    goto done;
  }
  if (mask & SA_SIZE) {
    if (S_ISDIR(sx.stx_mode)) {
      fail_with(j, EISDIR, "truncate");
      goto done;
    }
    if (!S_ISREG(sx.stx_mode)) {
      fail_with(j, EINVAL, "truncate");
      goto done;
    }
    /* Opened as the server (only it can open by handle); the caller's right to truncate is checked below. */
    if ((wfd = resolve(j, mount_arg(j), 0, O_WRONLY | O_NOCTTY)) < 0) goto done;
  }
  if (become(j) != 0) goto restore;
  if ((mask & SA_SIZE) && io_allowed(j, fd, &sx, W_OK) == 0 && ftruncate(wfd, (off_t)j->p[5]) != 0)
    fail(j, "ftruncate");
  if (!j->err && (mask & (SA_UID | SA_GID)) &&
      fchownat(fd, "", (mask & SA_UID) ? (uid_t)j->p[3] : (uid_t)-1, (mask & SA_GID) ? (gid_t)j->p[4] : (gid_t)-1,
               AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
    fail(j, "fchownat");
  /* Symlink modes mean nothing on Linux; knfsd ignores them too. */
  if (!j->err && (mask & SA_MODE) && !S_ISLNK(sx.stx_mode) &&
      syscall(SYS_fchmodat2, fd, "", (mode_t)j->p[2] & 07777, AT_EMPTY_PATH) != 0)
    fail(j, "fchmodat2");
  if (!j->err && (mask & (SA_ATIME | SA_ATIME_NOW | SA_MTIME | SA_MTIME_NOW))) {
    struct timespec ts[2] = {time_arg(j, mask & SA_ATIME, mask & SA_ATIME_NOW, 6),
                             time_arg(j, mask & SA_MTIME, mask & SA_MTIME_NOW, 8)};
    if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) fail(j, "utimensat");
  }
restore:
  unbecome(j);
  if (!j->err) put_stat(j, fd);
done:
  close_quiet(wfd);
  close_quiet(fd);
}

/* File types as Ftype3. */
enum { T_REG = 1, T_DIR = 2, T_BLK = 3, T_CHR = 4, T_LNK = 5, T_SOCK = 6, T_FIFO = 7 };

/* The regular file a CREATE found in place: UNCHECKED takes it, EXCLUSIVE only
 * when its times hold this very verifier (a retransmission), as knfsd. */
static int create_existing(job_t *j, int dfd, const char *name, int how) {
  struct statx sx;
  int fd = open_child(j, dfd, name);
  if (fd < 0) return -1;
  if (stat_fd(j, fd, &sx) != 0) {
    close(fd);
    return -1;
  }
  int ok = S_ISREG(sx.stx_mode) &&
           (how == 0 || (how == 2 && sx.stx_atime.tv_sec == (int64_t)j->p[6] &&
                         sx.stx_mtime.tv_sec == (int64_t)j->p[7] && sx.stx_size == 0));
  if (!ok) {
    close(fd);
    return fail_with(j, EEXIST, "openat");
  }
  return fd;
}

/* p0 mount, p1 type (Ftype3), p2 mode, p3 how (0 unchecked, 1 guarded, 2 exclusive),
 * p4/p5 device major/minor, p6/p7 exclusive verifier as atime/mtime seconds,
 * p8 keep: a regular file this call made is opened read-write and its descriptor returned
 * (the WRITE that usually follows a CREATE then needs no open of its own);
 * b0 dir handle, b1 name, b2 symlink target.
 * Out: u8 existed, H, S, S dir before, S dir after, [p8: i32 descriptor or -1]. */
static void op_create(job_t *j) {
  int type = (int)j->p[1], how = (int)j->p[3], existed = 0, fd = -1;
  mode_t mode = (mode_t)j->p[2] & 07777;
  int dfd = resolve(j, mount_arg(j), 0, O_PATH);
  const char *name = name_arg(j, 1);
  if (dfd < 0 || !name) goto done;
  uint8_t before[STAT_BYTES];
  if (read_stat(j, dfd, before) != 0) goto done;
  if (become(j) != 0) goto restore;
  switch (type) {
    case T_REG:
      /* A file this open creates is writable through it whatever its mode, as for any creator. */
      fd = openat(dfd, name, O_CREAT | O_EXCL | (j->p[8] ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                  how == 2 ? 0 : mode);
      if (fd < 0 && errno == EEXIST && how != 1) {
        fd = create_existing(j, dfd, name, how);
        existed = fd >= 0;
      } else if (fd < 0) {
        fail(j, "openat");
      } else if (how == 2) {
        struct timespec ts[2] = {{(time_t)j->p[6], 0}, {(time_t)j->p[7], 0}};
        if (utimensat(fd, "", ts, AT_EMPTY_PATH) != 0) fail(j, "utimensat");
      } else {
        fix_mode(j, fd, mode);
      }
      break;
    case T_DIR:
      if (mkdirat(dfd, name, mode) != 0) fail(j, "mkdirat");
      else if ((fd = open_child(j, dfd, name)) >= 0) fix_mode(j, fd, mode);
      break;
    case T_LNK: {
      const char *target = (const char *)j->b[2];
      if (!target || strlen(target) != j->blen[2]) fail_with(j, EINVAL, "symlinkat");
      else if (symlinkat(target, dfd, name) != 0) fail(j, "symlinkat");
      else fd = open_child(j, dfd, name);
      break;
    }
    case T_BLK:
    case T_CHR:
    case T_SOCK:
    case T_FIFO: {
      mode_t fmt = type == T_BLK ? S_IFBLK : type == T_CHR ? S_IFCHR : type == T_SOCK ? S_IFSOCK : S_IFIFO;
      dev_t dev = (type == T_BLK || type == T_CHR) ? makedev((unsigned)j->p[4], (unsigned)j->p[5]) : 0;
      if (mknodat(dfd, name, fmt | mode, dev) != 0) fail(j, "mknodat");
      else if ((fd = open_child(j, dfd, name)) >= 0) fix_mode(j, fd, mode);
      break;
    }
    default:
      fail_with(j, EINVAL, "create");
  }
restore:
  unbecome(j);
  if (j->err) goto done;
  put_u8(j, (uint8_t)existed);
  if (put_handle(j, fd) == 0 && put_stat(j, fd) == 0) {
    put(j, before, STAT_BYTES);
    put_stat(j, dfd);
  }
  if (!j->err && j->p[8]) {
    int keep = type == T_REG && !existed;
    put_i32(j, keep ? fd : -1);
    if (keep) {
      j->ret_fd = fd;
      fd = -1;
    }
  }
done:
  close_quiet(fd);
  close_quiet(dfd);
}

/* The handle of what a name names right now, if anything (as the caller). Out: u8 present, [H]. */
static void put_victim(job_t *j, int dfd, const char *name) {
  size_t mark = j->out.len;
  int saved_err = j->err;
  put_u8(j, 1);
  if (put_handle_at(j, dfd, name, 0) != 0) {
    /* Only a hint for the descriptor cache: never a reason to fail. */
    j->err = saved_err;
    j->out.len = mark;
    put_u8(j, 0);
  }
}

/* p0 mount, p1 isdir, b0 dir handle, b1 name. Out: u8 victim?, [H], S dir before, S dir after. */
static void op_remove(job_t *j) {
  int dfd = resolve(j, mount_arg(j), 0, O_PATH);
  const char *name = name_arg(j, 1);
  uint8_t before[STAT_BYTES];
  if (dfd < 0 || !name) goto done;
  if (read_stat(j, dfd, before) != 0) goto done;
  if (become(j) == 0) {
    put_victim(j, dfd, name);
    if (unlinkat(dfd, name, j->p[1] ? AT_REMOVEDIR : 0) != 0) fail(j, "unlinkat");
  }
  unbecome(j);
  if (j->err) goto done;
  put(j, before, STAT_BYTES);
  put_stat(j, dfd);
done:
  close_quiet(dfd);
}

/* p0 mount, b0 from dir handle, b1 from name, b2 to dir handle, b3 to name.
 * Out: u8 victim?, [H], S from before, S from after, S to before, S to after. */
static void op_rename(job_t *j) {
  int tfd = -1, ffd = resolve(j, mount_arg(j), 0, O_PATH);
  const char *from = name_arg(j, 1), *to = name_arg(j, 3);
  uint8_t before[2 * STAT_BYTES];
  if (ffd < 0 || !from || !to) goto done;
  if ((tfd = resolve(j, mount_arg(j), 2, O_PATH)) < 0) goto done;
  if (read_stat(j, ffd, before) != 0 || read_stat(j, tfd, before + STAT_BYTES) != 0) goto done;
  if (become(j) == 0) {
    put_victim(j, tfd, to);
    if (renameat(ffd, from, tfd, to) != 0) fail(j, "renameat");
  }
  unbecome(j);
  if (j->err) goto done;
  put(j, before, STAT_BYTES);
  if (put_stat(j, ffd) != 0) goto done;
  put(j, before + STAT_BYTES, STAT_BYTES);
  put_stat(j, tfd);
done:
  close_quiet(tfd);
  close_quiet(ffd);
}

/* p0 mount, b0 file handle, b1 dir handle, b2 name. Out: S file, S dir before, S dir after. */
static void op_link(job_t *j) {
  char path[64];
  int dfd = -1, fd = resolve(j, mount_arg(j), 0, O_PATH);
  const char *name = name_arg(j, 2);
  uint8_t before[STAT_BYTES];
  if (fd < 0 || !name) goto done;
  if ((dfd = resolve(j, mount_arg(j), 1, O_PATH)) < 0) goto done;
  if (read_stat(j, dfd, before) != 0) goto done;
  /* linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH, which the caller's
   * identity lacks; the /proc magic link names the same inode without it. */
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  if (become(j) == 0 && linkat(AT_FDCWD, path, dfd, name, AT_SYMLINK_FOLLOW) != 0) fail(j, "linkat");
  unbecome(j);
  if (j->err) goto done;
  if (put_stat(j, fd) != 0) goto done;
  put(j, before, STAT_BYTES);
  put_stat(j, dfd);
done:
  close_quiet(dfd);
  close_quiet(fd);
}

typedef struct {
  uint64_t cookie, ino;
  uint32_t name_off;
  uint8_t len;
} dent_t;

/* Stable 63-bit position of a name: FNV-1a, then murmur3's finaliser to spread it. */
static uint64_t name_cookie(const char *s, size_t n) {
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  h &= 0x7fffffffffffffffULL;
  /* 0 is "start of directory"; 1 and 2 are "." and "..". */
  return h < 3 ? h + 3 : h;
}

/* qsort_r: several listings may be sorted at once on different worker threads. */
static int dent_cmp(const void *a, const void *b, void *names) {
  const dent_t *x = a, *y = b;
  if (x->cookie != y->cookie) return x->cookie < y->cookie ? -1 : 1;
  return strcmp((const char *)names + x->name_off, (const char *)names + y->name_off);
}

/* p0 mount, p1 inotify descriptor or -1, b0 dir handle. Out: S dir, u64 ".." inode, u32 count,
 * then per entry (sorted by cookie): u64 cookie, u64 inode, u8 name length, name; then i32 the
 * watch descriptor of the directory (-1: none). The watch is added before the directory is read,
 * so any later change to an entry is reported (see native.ts Watches). */
static void op_listdir(job_t *j) {
  int dfd = -1, wd = -1, pfd = resolve(j, mount_arg(j), 0, O_PATH);
  dent_t *ents = NULL;
  char *names = NULL, buf[32768];
  size_t n = 0, cap = 0, nlen = 0, ncap = 0;
  uint64_t dotdot = 0;
  if (pfd < 0) return;
  /* Reading a directory needs read permission only (not search), as for `ls`. */
  if (become(j) == 0 && syscall(SYS_faccessat2, pfd, "", R_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
    fail(j, "faccessat2");
  unbecome(j);
  if (j->err) goto done;
  wd = add_watch((int)j->p[1], pfd, IN_ONLYDIR);
  if ((dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    fail(j, "openat");
    goto done;
  }
  for (;;) {
    long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got < 0) {
      fail(j, "getdents64");
      goto done;
    }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      struct dirent64 *d = (struct dirent64 *)(buf + off);
      off += d->d_reclen;
      size_t len = strlen(d->d_name);
      if (len == 2 && d->d_name[0] == '.' && d->d_name[1] == '.') dotdot = d->d_ino;
      if ((len == 1 && d->d_name[0] == '.') || (len == 2 && d->d_name[0] == '.' && d->d_name[1] == '.')) continue;
      if (n == cap) {
        cap = cap ? cap * 2 : 256;
        dent_t *ne = realloc(ents, cap * sizeof *ents);
        if (!ne) {
          fail_with(j, ENOMEM, "listdir");
          goto done;
        }
        ents = ne;
      }
      if (nlen + len + 1 > ncap) {
        ncap = ncap ? ncap * 2 : 16384;
        while (ncap < nlen + len + 1) ncap *= 2;
        char *nn = realloc(names, ncap);
        if (!nn) {
          fail_with(j, ENOMEM, "listdir");
          goto done;
        }
        names = nn;
      }
      memcpy(names + nlen, d->d_name, len + 1);
      ents[n].cookie = name_cookie(d->d_name, len);
      ents[n].ino = d->d_ino;
      ents[n].len = (uint8_t)len;
      ents[n].name_off = (uint32_t)nlen;
      nlen += len + 1;
      n++;
    }
  }
  if (put_stat(j, dfd) != 0) goto done;
  if (n > 1) qsort_r(ents, n, sizeof *ents, dent_cmp, names);
  put_u64(j, dotdot);
  put_u32(j, (uint32_t)n);
  for (size_t i = 0; i < n; i++) {
    /* Equal hashes (astronomically rare) still need distinct positions. */
    if (i > 0 && ents[i].cookie <= ents[i - 1].cookie) ents[i].cookie = ents[i - 1].cookie + 1;
    put_u64(j, ents[i].cookie);
    put_u64(j, ents[i].ino);
    put_u8(j, ents[i].len);
    put(j, names + ents[i].name_off, ents[i].len);
  }
  put_i32(j, wd);
  wd = -1;
done:
  if (wd >= 0) inotify_rm_watch((int)j->p[1], wd);
  free(ents);
  free(names);
  close_quiet(dfd);
  close_quiet(pfd);
}

/* p0 batch key (the JS side groups one export's closes), p1 fd. Closing can block (it may flush),
 * so it runs on the threadpool too. */
static void op_close(job_t *j) {
  if (close((int)j->p[1]) != 0 && errno != EINTR) fail(j, "close");
}

static void (*const OPS[OP_COUNT])(job_t *) = {
    [OP_OPEN_ROOT] = op_open_root, [OP_GETATTR] = op_getattr, [OP_STATFS] = op_statfs,
    [OP_LOOKUP] = op_lookup,       [OP_LOOKUP_MANY] = op_lookup_many, [OP_ACCESS] = op_access,
    [OP_READLINK] = op_readlink,   [OP_OPEN_FILE] = op_open_file,     [OP_PREAD] = op_pread,
    [OP_PWRITE] = op_pwrite,       [OP_FSYNC] = op_fsync,             [OP_SETATTR] = op_setattr,
    [OP_CREATE] = op_create,       [OP_REMOVE] = op_remove,           [OP_RENAME] = op_rename,
    [OP_LINK] = op_link,           [OP_LISTDIR] = op_listdir,         [OP_CLOSE] = op_close,
};

/* ---- N-API glue ---- */

static void execute(napi_env env, void *arg) {
  (void)env;
  job_t *j = arg;
  errno = 0;
  OPS[j->op](j);
  if (j->became) unbecome(j);
}

static void free_job(napi_env env, job_t *j) {
  if (j->data_ref) napi_delete_reference(env, j->data_ref);
  for (int i = 0; i < NBUFS; i++) free(j->b[i]);
  free(j->out.p);
  if (j->work) napi_delete_async_work(env, j->work);
  free(j);
}

static napi_value errno_error(napi_env env, int e, const char *sc) {
  char msg[160];
  const char *code = e == ERR_NOT_SYNC ? "NOT_SYNC" : strerrorname_np(e);
  napi_value err = NULL, vcode, vmsg, verrno, vsc;
  if (!code) code = "EIO";
  snprintf(msg, sizeof msg, "%s: %s", code, e == ERR_NOT_SYNC ? "guard ctime mismatch" : strerror(e));
  if (sc) {
    size_t l = strlen(msg);
    snprintf(msg + l, sizeof msg - l, ", %s", sc);
  }
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &vcode) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &vmsg) != napi_ok ||
      napi_create_error(env, vcode, vmsg, &err) != napi_ok)
    return NULL;
  if (napi_create_int32(env, -e, &verrno) == napi_ok) napi_set_named_property(env, err, "errno", verrno);
  if (sc && napi_create_string_utf8(env, sc, NAPI_AUTO_LENGTH, &vsc) == napi_ok)
    napi_set_named_property(env, err, "syscall", vsc);
  return err;
}

static void complete(napi_env env, napi_status status, void *arg) {
  job_t *j = arg;
  napi_value v = NULL;
  if (status == napi_ok && !j->err && !j->out.oom) {
    void *unused;
    if (napi_create_buffer_copy(env, j->out.len, j->out.len ? (const void *)j->out.p : (const void *)"", &unused, &v) == napi_ok &&
        napi_resolve_deferred(env, j->deferred, v) == napi_ok) {
      free_job(env, j);
      return;
    }
  }
  close_quiet(j->ret_fd);
  v = NULL;
  if (status != napi_ok) {
    v = errno_error(env, ECANCELED, "async work");
  } else if (j->err) {
    v = errno_error(env, j->err, j->syscall);
  } else {
    v = errno_error(env, ENOMEM, "result");
  }
  if (!v) napi_get_undefined(env, &v);
  napi_reject_deferred(env, j->deferred, v);
  free_job(env, j);
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined;
}

/* Copies a small Buffer with a NUL after it (names and paths are used as C strings). */
static int copy_buf(napi_env env, napi_value v, uint8_t **dst, size_t *len) {
  void *data;
  size_t n;
  bool isbuf;
  if (is_nullish(env, v)) return 0;
  if (napi_is_buffer(env, v, &isbuf) != napi_ok || !isbuf) return -1;
  if (napi_get_buffer_info(env, v, &data, &n) != napi_ok || n > MAX_SMALL_BUF) return -1;
  if (!(*dst = malloc(n + 1))) return -1;
  if (n) memcpy(*dst, data, n);
  (*dst)[n] = 0;
  *len = n;
  return 0;
}

/* A job from call()'s arguments with its promise, or NULL after throwing. */
/* Throws a TypeError and frees the job being built (if any). */
static job_t *bad_args(napi_env env, job_t *j, const char *msg) {
  if (j) free_job(env, j);
  throw_type(env, msg);
  return NULL;
}

/* argv: op, creds, params, b0..b3, data (call()'s arguments). */
static job_t *make_job(napi_env env, napi_value *argv, size_t argc, napi_value *promise) {
  int32_t op;
  if (argc < 3) return bad_args(env, NULL, "call(op, creds, params, ...)");
  if (napi_get_value_int32(env, argv[0], &op) != napi_ok || op < 0 || op >= OP_COUNT) return bad_args(env, NULL, "bad op");
  job_t *j = calloc(1, sizeof *j);
  if (!j) return bad_args(env, NULL, "out of memory");
  j->op = op;
  j->ret_fd = -1;
  j->resolved_fd = -1;

  if (!is_nullish(env, argv[1])) {
    napi_typedarray_type t;
    size_t n;
    void *data;
    if (napi_get_typedarray_info(env, argv[1], &t, &n, &data, NULL, NULL) != napi_ok || t != napi_uint32_array ||
        n < 3 || ((uint32_t *)data)[2] > MAX_GROUPS || n < 3 + ((uint32_t *)data)[2]) {
      return bad_args(env, j, "creds must be Uint32Array [uid, gid, n, groups...]");
    }
    const uint32_t *c = data;
    j->has_creds = 1;
    j->uid = c[0];
    j->gid = c[1];
    j->ngroups = (int)c[2];
    for (int i = 0; i < j->ngroups; i++) j->groups[i] = c[3 + i];
  }

  {
    napi_typedarray_type t;
    size_t n;
    void *data;
    if (napi_get_typedarray_info(env, argv[2], &t, &n, &data, NULL, NULL) != napi_ok || t != napi_float64_array ||
        n > NPARAMS) {
      return bad_args(env, j, "params must be a Float64Array");
    }
    memcpy(j->p, data, n * sizeof(double));
  }

  for (int i = 0; i < NBUFS && (size_t)(3 + i) < argc; i++) {
    if (copy_buf(env, argv[3 + i], &j->b[i], &j->blen[i]) != 0) {
      return bad_args(env, j, "small buffer arguments must be Buffers of at most 8 KiB");
    }
  }

  if (argc > 7 && !is_nullish(env, argv[7])) {
    bool isbuf;
    void *data;
    if (napi_is_buffer(env, argv[7], &isbuf) != napi_ok || !isbuf ||
        napi_get_buffer_info(env, argv[7], &data, &j->data_len) != napi_ok ||
        napi_create_reference(env, argv[7], 1, &j->data_ref) != napi_ok) {
      return bad_args(env, j, "data must be a Buffer");
    }
    j->data = data;
  }

  if (napi_create_promise(env, &j->deferred, promise) != napi_ok) return bad_args(env, j, "cannot create a promise");
  return j;
}

static napi_value call(napi_env env, napi_callback_info info) {
  napi_value promise, name, argv[8];
  size_t argc = 8;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return throw_type(env, "bad arguments");
  job_t *j = make_job(env, argv, argc, &promise);
  if (!j) return NULL;
  if (napi_create_string_utf8(env, "nfsnode", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    /* The promise exists: settle it rather than leave it pending forever. */
    complete(env, napi_generic_failure, j);
  }
  return promise;
}

/* ---- batches ---- */

/* Jobs per batch: bounds how long the last one waits behind the others. */
#define BATCH_MAX 16
/* Groups collected at once; a job for another object beyond these runs alone. */
#define GROUPS_MAX 4

typedef struct {
  napi_async_work work;
  job_t *head;
} batch_t;

typedef struct {
  double key;
  job_t *head, *tail;
  int n;
} group_t;

/* Per Node environment (main thread or worker), so threads never share it. */
typedef struct {
  group_t groups[GROUPS_MAX];
  int ngroups;
} pending_t;

static void execute_batch(napi_env env, void *arg) {
  for (job_t *j = ((batch_t *)arg)->head; j; j = j->next) execute(env, j);
}

static void complete_batch(napi_env env, napi_status status, void *arg) {
  batch_t *b = arg;
  job_t *j = b->head;
  napi_delete_async_work(env, b->work);
  free(b);
  while (j) {
    job_t *next = j->next;
    complete(env, status, j);
    j = next;
  }
}

static void queue_batch(napi_env env, job_t *head) {
  napi_value name;
  batch_t *b = calloc(1, sizeof *b);
  if (b) b->head = head;
  if (!b || napi_create_string_utf8(env, "nfsnode", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute_batch, complete_batch, b, &b->work) != napi_ok ||
      napi_queue_async_work(env, b->work) != napi_ok) {
    if (b && b->work) napi_delete_async_work(env, b->work);
    free(b);
    while (head) {
      job_t *next = head->next;
      complete(env, napi_generic_failure, head);
      head = next;
    }
  }
}

static void take_group(napi_env env, pending_t *pd, int g) {
  job_t *head = pd->groups[g].head;
  pd->groups[g] = pd->groups[--pd->ngroups];
  queue_batch(env, head);
}

static void free_pending(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  /* Jobs still held when the environment goes away are never started; the process is exiting. */
  free(data);
}

/* hold(key, ...call()'s arguments): jobs held with the same key until flush() run as one batch. */
static napi_value hold(napi_env env, napi_callback_info info) {
  napi_value promise, argv[9];
  size_t argc = 9;
  double key;
  pending_t *pd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &key) != napi_ok)
    return throw_type(env, "hold(key, op, creds, params, ...)");
  job_t *j = make_job(env, argv + 1, argc - 1, &promise);
  if (!j) return NULL;
  if (napi_get_instance_data(env, (void **)&pd) != napi_ok || !pd) {
    complete(env, napi_generic_failure, j);
    return promise;
  }
  int g = 0;
  while (g < pd->ngroups && pd->groups[g].key != key) g++;
  if (g == pd->ngroups) {
    if (g == GROUPS_MAX) {
      queue_batch(env, j);
      return promise;
    }
    pd->groups[g] = (group_t){.key = key, .head = j, .tail = j, .n = 1};
    pd->ngroups++;
  } else {
    pd->groups[g].tail->next = j;
    pd->groups[g].tail = j;
    pd->groups[g].n++;
  }
  if (pd->groups[g].n >= BATCH_MAX) take_group(env, pd, g);
  return promise;
}

static napi_value flush(napi_env env, napi_callback_info info) {
  (void)info;
  pending_t *pd;
  if (napi_get_instance_data(env, (void **)&pd) == napi_ok && pd) {
    while (pd->ngroups > 0) take_group(env, pd, pd->ngroups - 1);
  }
  return NULL;
}

/* ---- directory watches (synchronous: inotify descriptors are memory, never disk) ---- */

static int int_arg(napi_env env, napi_callback_info info, int32_t *out, size_t want) {
  napi_value argv[2];
  size_t argc = 2;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return -1;
  for (size_t i = 0; i < want; i++)
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return -1;
  return 0;
}

static napi_value throw_errno(napi_env env, const char *sc) {
  napi_value err = errno_error(env, errno, sc);
  if (err) napi_throw(env, err);
  return NULL;
}

/* watchInit(): a non-blocking inotify descriptor. */
static napi_value watch_init(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return throw_errno(env, "inotify_init1");
  napi_create_int32(env, fd, &v);
  return v;
}

/* watchDrain(fd): every event queued now, as 16-byte records: i32 wd, u32 mask, u64 the cookie
 * listdir gives the event's name (0 without a name). */
static napi_value watch_drain(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (int_arg(env, info, &fd, 1) != 0) return throw_type(env, "watchDrain(fd)");
  char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
  job_t out = {0}; /* only its result buffer, for put() */
  for (;;) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) break;
    if (got <= 0) {
      free(out.out.p);
      return throw_errno(env, "read");
    }
    for (ssize_t off = 0; off < got;) {
      const struct inotify_event *e = (const struct inotify_event *)(buf + off);
      off += (ssize_t)sizeof *e + e->len;
      size_t len = e->len ? strlen(e->name) : 0;
      put_i32(&out, e->wd);
      put(&out, &e->mask, 4);
      put_u64(&out, len ? name_cookie(e->name, len) : 0);
    }
  }
  napi_value v;
  void *unused;
  napi_status st = out.out.oom ? napi_generic_failure
                               : napi_create_buffer_copy(env, out.out.len, out.out.len ? (const void *)out.out.p : (const void *)"", &unused, &v);
  free(out.out.p);
  if (st != napi_ok) return throw_type(env, "watchDrain: out of memory");
  return v;
}

/* watchRemove(fd, wd). A watch already gone (its directory removed, the filesystem unmounted) is not an error. */
static napi_value watch_remove(napi_env env, napi_callback_info info) {
  int32_t a[2];
  if (int_arg(env, info, a, 2) != 0) return throw_type(env, "watchRemove(fd, wd)");
  if (inotify_rm_watch(a[0], a[1]) != 0 && errno != EINVAL) return throw_errno(env, "inotify_rm_watch");
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  /* Job results are allocated on pool threads and freed on the main thread: with an arena per pool
   * thread, and glibc raising its mmap threshold to the largest block freed so far (a listing of
   * 10,000 names is over a megabyte), freed memory stayed in every arena. Peak RSS of two nfsbench
   * passes 139 -> 118 MiB at the same CPU. */
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  server_uid = geteuid();
  server_gid = getegid();
  server_ngroups = getgroups(MAX_GROUPS, server_groups);
  if (server_ngroups < 0) {
    napi_throw_error(env, NULL, "nfsnode: getgroups failed (more than 64 supplementary groups?)");
    return NULL;
  }
  pending_t *pd = calloc(1, sizeof *pd);
  if (!pd || napi_set_instance_data(env, pd, free_pending, NULL) != napi_ok) {
    free(pd);
    napi_throw_error(env, NULL, "nfsnode: out of memory");
    return NULL;
  }
  if (napi_create_function(env, "call", NAPI_AUTO_LENGTH, call, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "call", fn) != napi_ok ||
      napi_create_function(env, "hold", NAPI_AUTO_LENGTH, hold, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "hold", fn) != napi_ok ||
      napi_create_function(env, "flush", NAPI_AUTO_LENGTH, flush, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "flush", fn) != napi_ok ||
      napi_create_function(env, "watchInit", NAPI_AUTO_LENGTH, watch_init, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "watchInit", fn) != napi_ok ||
      napi_create_function(env, "watchDrain", NAPI_AUTO_LENGTH, watch_drain, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "watchDrain", fn) != napi_ok ||
      napi_create_function(env, "watchRemove", NAPI_AUTO_LENGTH, watch_remove, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "watchRemove", fn) != napi_ok)
    return NULL;
  return exports;
}
