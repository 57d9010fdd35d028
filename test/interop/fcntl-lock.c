/*
 * fcntl(2) byte-range locks for the Linux guest (busybox has no tool for
 * them): built static on the host, run in the VM.
 *
 *   fcntl-lock FILE START LEN r|w try|wait HOLD_SECONDS [MARKER]
 *
 * Prints "locked" once the lock is held (and creates MARKER, if given),
 * holds it HOLD_SECONDS, then exits 0; with "try", prints "denied" and exits
 * 1 if another owner holds a conflicting lock. LEN 0 locks to end of file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s FILE START LEN r|w try|wait HOLD [MARKER]\n", argv[0]);
    return 2;
  }
  int writing = argv[4][0] == 'w';
  int fd = open(argv[1], writing ? O_RDWR : O_RDONLY);
  if (fd < 0) {
    perror("open");
    return 2;
  }
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = writing ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = strtoll(argv[2], NULL, 10);
  fl.l_len = strtoll(argv[3], NULL, 10);
  int wait = strcmp(argv[5], "wait") == 0;
  if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) < 0) {
    if (!wait && (errno == EAGAIN || errno == EACCES)) {
      printf("denied\n");
      return 1;
    }
    perror("fcntl");
    return 2;
  }
  printf("locked\n");
  fflush(stdout);
  if (argc > 7) {
    int m = open(argv[7], O_CREAT | O_WRONLY, 0644);
    if (m >= 0) close(m);
  }
  sleep((unsigned)atoi(argv[6]));
  return 0;
}
