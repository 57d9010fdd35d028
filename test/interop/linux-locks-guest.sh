# Guest side of the locking tests with the Linux kernel client (NLM through
# the guest's lockd, rpc.statd and sm-notify). The host prepends PORT=,
# EXPORT= and PHASE= and acts on the markers this script leaves in /share.
set -u
R=/share/results
mkdir -p $R
OPTS="vers=3,proto=tcp,port=$PORT,mountport=$PORT,mountproto=tcp,retry=0"
L=/share/fcntl-lock
fail() { echo "FAIL: $*"; exit 1; }
waitfor() {
  i=0
  while [ ! -e "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
  [ -e "$1" ] || fail "never saw $1"
}
# "excluded" when the command fails (the lock is held by another process).
probe() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "$name: free"; else echo "$name: excluded"; fi >> $R/phase$PHASE.txt; }
mkdir -p /mnt/n

if [ "$PHASE" = 1 ]; then
  nfsvm-lock-daemons || fail "rpcbind/rpc.statd"
  mount.nfs "$NFS_SERVER:$EXPORT" /mnt/n -o "$OPTS" || fail "mount without nolock"
  F=/mnt/n/locked
  echo data > $F || fail "create"

  echo "+ flock: two processes"
  flock -x $F -c 'touch /tmp/flock-held; sleep 4' &
  waitfor /tmp/flock-held
  probe flock-exclusive-vs-exclusive flock -n -x $F -c true
  probe flock-shared-vs-exclusive flock -n -s $F -c true
  wait
  probe flock-after-release flock -n -x $F -c true

  echo "+ fcntl: byte ranges"
  $L $F 0 100 w try 4 /tmp/f1 > $R/f1.out &
  waitfor /tmp/f1
  probe fcntl-write-overlapping $L $F 50 10 w try 0
  probe fcntl-read-overlapping $L $F 50 10 r try 0
  probe fcntl-write-beyond $L $F 200 10 w try 0
  probe fcntl-write-adjacent $L $F 100 0 w try 0
  wait
  $L $F 0 0 r try 3 /tmp/s1 > /dev/null &
  waitfor /tmp/s1
  probe fcntl-read-vs-read $L $F 0 0 r try 0
  probe fcntl-write-vs-read $L $F 0 0 w try 0
  wait

  echo "+ fcntl: a blocked lock is granted once the holder lets go"
  $L $F 0 0 w try 2 /tmp/b1 > /dev/null &
  waitfor /tmp/b1
  t0=$(cut -d. -f1 /proc/uptime)
  out=$($L $F 0 0 w wait 0)
  t1=$(cut -d. -f1 /proc/uptime)
  echo "blocked-then: $out" >> $R/phase1.txt
  echo "$((t1 - t0))" > $R/blocked-seconds.txt
  wait

  echo "+ hold a lock, then power off without unmounting"
  $L $F 0 0 w try 600 /tmp/h > /dev/null &
  waitfor /tmp/h
  touch /share/holding
  waitfor /share/host-saw-lock
  # The guest's status monitor recorded the server when lockd asked it to
  # (SM_MON); keep that record for the next boot, as a disk would.
  mkdir -p /share/sm
  cp -a /var/lib/nfs/sm/. /share/sm/
  ls /share/sm > $R/sm-records.txt
  echo "PHASE 1 DONE"
  exit 0
fi

# PHASE 2: the same machine boots again: sm-notify tells the server.
mkdir -p /var/lib/nfs/sm /var/lib/nfs/sm.bak
cp -a /share/sm/. /var/lib/nfs/sm/
nfsvm-lock-daemons || fail "rpcbind/rpc.statd"
sm-notify -f -d > $R/sm-notify.txt 2>&1 || fail "sm-notify"
touch /share/notified
waitfor /share/host-saw-release
mount.nfs "$NFS_SERVER:$EXPORT" /mnt/n -o "$OPTS" || fail "mount without nolock"
probe after-reboot-lock-taken $L /mnt/n/locked 0 0 w try 0
umount /mnt/n || fail "umount"
echo "PHASE 2 DONE"
