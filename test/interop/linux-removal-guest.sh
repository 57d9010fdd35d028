# Guest side of the safe-removal scenarios with the Linux kernel client.
# The host prepends PORT=, EXPORT_A=, EXPORT_B=, EXPORT_C= and acts on the
# markers this script leaves in /share.
set -u
R=/share/results
mkdir -p $R
OPTS="vers=3,proto=tcp,port=$PORT,mountport=$PORT,mountproto=tcp,nolock,retry=0"
fail() { echo "FAIL: $*"; exit 1; }
waitfor() {
  i=0
  while [ ! -e "/share/$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
  [ -e "/share/$1" ] || fail "host never answered $1"
}
# umount.nfs (mount.nfs under that name) sends MOUNTPROC3_UMNT, as a normal
# Linux system's umount does; busybox umount would only detach.
ln -s /sbin/mount.nfs /tmp/umount.nfs

echo "STEP 1: mount, copy, unmount"
mkdir -p /mnt/a /mnt/b /mnt/c
mount.nfs "$NFS_SERVER:$EXPORT_A" /mnt/a -o "$OPTS" || fail "mount a"
dd if=/dev/urandom of=/mnt/a/f1 bs=64k count=16 2>/dev/null || fail "write a/f1"
cp /mnt/a/f1 /mnt/a/f2 || fail "copy a/f2"
(cd /mnt/a && sha256sum f1 f2) > $R/a-sums.txt
/tmp/umount.nfs /mnt/a || fail "umount.nfs a"
touch /share/a-unmounted
waitfor a-checked

echo "STEP 3: eject while writing"
mount.nfs "$NFS_SERVER:$EXPORT_B" /mnt/b -o "$OPTS" || fail "mount b"
i=0
while [ $i -lt 2000 ]; do
  dd if=/dev/urandom of=/tmp/blk bs=64k count=4 2>/dev/null
  dd if=/tmp/blk of=/mnt/b/w$i bs=64k conv=fsync 2>$R/b-err.txt || break
  echo "$(sha256sum < /tmp/blk | cut -d' ' -f1)  w$i" >> $R/b-sums.txt
  [ $i -eq 5 ] && touch /share/b-writing
  i=$((i+1))
done
echo $i > $R/b-count.txt
umount -f -l /mnt/b

echo "STEP 2: a client that vanishes"
mount.nfs "$NFS_SERVER:$EXPORT_C" /mnt/c -o "$OPTS" || fail "mount c"
dd if=/dev/urandom of=/mnt/c/g1 bs=64k count=8 conv=fsync 2>/dev/null || fail "write c/g1"
(cd /mnt/c && sha256sum g1) > $R/c-sums.txt
echo "powering off with /mnt/c still mounted"
