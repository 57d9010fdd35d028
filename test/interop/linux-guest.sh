# Guest side of the Linux kernel client suite (busybox ash inside nfs-vm).
# The host test prepends PORT=, EXPORT= and runs it with --share; results go
# to /share/results for the host to compare with what sits on its disk.
set -u
M=/mnt/n
R=/share/results
mkdir -p $M $R
OPTS="vers=3,proto=tcp,port=$PORT,mountport=$PORT,mountproto=tcp,nolock,retry=0,actimeo=1"
step() { echo "STEP $*"; }
fail() { echo "FAIL: $*"; exit 1; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

step mount
mount.nfs "$NFS_SERVER:$EXPORT" $M -o "$OPTS" || fail "mount"
cd $M || fail "cd"

step "create, append, overwrite, truncate"
echo hello > a.txt && echo world >> a.txt || fail "append"
echo "first version, longer than the second" > b.txt && echo second > b.txt || fail "overwrite"
dd if=/dev/urandom of=rand.bin bs=1k count=3000 2>/dev/null || fail "dd rand"
cp rand.bin trunc.bin && truncate -s 1000 trunc.bin || fail "truncate"
cp rand.bin grow.bin && truncate -s 5000000 grow.bin || fail "extend"
sha256sum a.txt b.txt rand.bin trunc.bin grow.bin > $R/sums-written.txt
drop_caches
sha256sum a.txt b.txt rand.bin trunc.bin grow.bin > $R/sums-reread.txt
cmp $R/sums-written.txt $R/sums-reread.txt || fail "re-read after drop_caches differs"

step "deep trees"
mkdir -p deep/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20 || fail "mkdir -p"
echo leaf > deep/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/leaf || fail "leaf"
mkdir -p gone/a/b/c && echo x > gone/a/b/c/f && echo y > gone/a/g || fail "tree to remove"
rm -rf gone || fail "rm -rf"
[ ! -e gone ] || fail "gone still exists"

step renames
echo x > r-src && mv r-src r-dst || fail "rename in dir"
mkdir dirA dirB && echo moved > dirA/f && mv dirA/f dirB/f || fail "rename across dirs"
echo replacement > dirB/g && mv dirB/g dirB/f || fail "rename over existing"
mv dirA dirC || fail "rename dir"
[ "$(cat dirB/f)" = replacement ] || fail "content after rename over"

step links
echo linked > orig && ln orig hard || fail "hard link"
[ "$(stat -c %h orig)" = 2 ] || fail "nlink after ln"
ln -s dirB/f sym || fail "symlink"
[ "$(readlink sym)" = dirB/f ] || fail "readlink"
[ "$(cat sym)" = replacement ] || fail "follow symlink"

step "chmod chown touch"
chmod 640 hard || fail chmod
chown 1234:5678 hard || fail chown
touch -d "2020-01-02 03:04:05" hard || fail "touch -d"
stat -c '%a %u %g %Y' hard > $R/hard-stat.txt

step "list 10000 entries"
ls -A1 big > $R/big-raw.txt || fail "ls big"
LC_ALL=C sort $R/big-raw.txt > $R/big-list.txt && rm $R/big-raw.txt

step df
df -k $M > $R/df.txt || fail df

step "concurrent writers"
for i in 1 2 3 4; do
  dd if=/dev/urandom of=cw$i bs=64k count=32 2>/dev/null &
done
wait
sha256sum cw1 cw2 cw3 cw4 > $R/sums-concurrent.txt

step "large file"
dd if=/dev/urandom of=/tmp/block bs=1M count=1 2>/dev/null
i=0
while [ $i -lt "$LARGE_MB" ]; do cat /tmp/block; i=$((i+1)); done > large || fail "write large"
sync
drop_caches
sha256sum large > $R/sums-large.txt || fail "read large"

step "sparse past 4 GiB"
dd if=/dev/urandom of=/tmp/sblock bs=4k count=1 2>/dev/null
dd if=/tmp/sblock of=sparse bs=4k seek=1310720 conv=notrunc 2>/dev/null || fail "sparse write"
drop_caches
dd if=sparse bs=4k skip=1310720 count=1 2>/dev/null | sha256sum > $R/sparse-read.txt
sha256sum < /tmp/sblock > $R/sparse-written.txt
stat -c %s sparse > $R/sparse-size.txt

step "server-side removal"
echo "doomed" > victim && cat victim > /dev/null || fail "victim"
touch /share/delete-victim
i=0
while [ ! -e /share/victim-deleted ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
[ -e /share/victim-deleted ] || fail "host never deleted the victim"
# From /: busybox timeout leaves a watcher process behind in its working directory.
(cd / && timeout 60 cat $M/victim > $R/victim-out.txt 2> $R/victim-err.txt; echo $? > $R/victim-rc.txt)

step "umount and mount again"
cd /
umount $M || { grep nfs /proc/mounts; ls -l /proc/[0-9]*/cwd /proc/[0-9]*/fd/* 2>/dev/null | grep /mnt; fail "umount"; }
mount.nfs "$NFS_SERVER:$EXPORT" $M -o "$OPTS" || fail "remount"
[ "$(cat $M/a.txt)" = "hello
world" ] || fail "content after remount"
umount $M || fail "second umount"
echo ok > $R/done
