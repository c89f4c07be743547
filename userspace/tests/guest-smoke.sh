#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# secbufctl against the real driver, inside a guest (busybox sh is enough):
#   scripts/vm-run --lane arm64-6.1 --add DIR -- /add/guest-smoke.sh
# with secbufctl (static) next to this script in DIR, or on $PATH.
# Needs the secbuf module loaded (it loads $SECBUF_KO if /dev/secbuf is
# missing). Ends with "N passed, N failed".

POOL=${SECBUF_POOL:-gpu}
# SECBUF_POOL2 set and empty (a board with one pool): no second pool.
POOL2=${SECBUF_POOL2-camera}
here=$(dirname "$0")
CTL=${SECBUFCTL:-$here/secbufctl}
[ -x "$CTL" ] || CTL=secbufctl
PARAMS=/sys/module/secbuf/parameters
SYSFS=/sys/class/misc/secbuf-$POOL
T=$(mktemp -d /tmp/smoke.XXXXXX)

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }

# run WANT DESC CMD...: output in $T/out and $T/err.
run() {
	want=$1 desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$desc (exit $rc)"
	else
		bad "$desc: exit $rc, want $want"
		sed 's/^/#   /' "$T/out" "$T/err"
	fi
}

# has FILE PATTERN DESC
has() {
	if grep -q -- "$2" "$1"; then ok "$3"; else
		bad "$3: no '$2' in"
		sed 's/^/#   /' "$1"
	fi
}

pool_idle() {
	[ "$(cat "$SYSFS/used_bytes")" = 0 ] && [ "$(cat "$SYSFS/buffers")" = 0 ]
}

if [ ! -d /dev/secbuf ] && [ -n "${SECBUF_KO:-}" ]; then
	insmod "$SECBUF_KO" || echo "# insmod $SECBUF_KO failed"
fi

echo "# info"
run 0 "info" "$CTL" info
has "$T/out" "^$POOL (/dev/secbuf/$POOL)" "info lists $POOL"
[ -z "$POOL2" ] || has "$T/out" "^$POOL2 (/dev/secbuf/$POOL2)" "info lists $POOL2"
cat "$T/out" | sed 's/^/#   /'
run 0 "info --json $POOL" "$CTL" info --json "$POOL"
total=$(cat "$SYSFS/total_bytes")
has "$T/out" "\"total_bytes\": $total," "JSON total_bytes equals sysfs ($total)"
# json-c prints an empty array over two lines: compare without blanks.
tr -d ' \n' <"$T/out" >"$T/flat"
has "$T/flat" '"errors":\[\]' "JSON has no errors"
run 1 "info of a missing pool" "$CTL" info no-such-pool
has "$T/err" "(ENOENT): no such pool" "... says so"

echo "# alloc"
run 0 "alloc 4K" "$CTL" alloc --pool "$POOL" --size 4K
has "$T/out" "^$POOL: buffer [1-9][0-9]*, 4 KiB (4096 bytes)" "alloc prints id and size"
has "$T/out" "exporter secbuf" "fdinfo names the exporter"
run 0 "alloc 5000 bytes rounds up to pages" "$CTL" alloc --pool "$POOL" --size 5000 --json
has "$T/out" '"size": 8192,' "size 5000 -> 8192"
has "$T/out" '"requested_size": 5000,' "requested size kept"
run 0 "alloc --name --fill" "$CTL" alloc --pool "$POOL" --size 3M --name smoke --fill 'abc'
has "$T/out" 'name "smoke"' "the name shows in fdinfo"
has "$T/out" 'filled: "abcabcabc' "the fill shows"
run 0 "alloc --read-only" "$CTL" alloc --pool "$POOL" --size 4K --read-only --json
has "$T/out" '"read_only": true' "read-only descriptor"
run 0 "alloc --heap" "$CTL" alloc --heap --pool "$POOL" --size 64K --name via-heap
has "$T/out" "^$POOL: dma-heap buffer, 64 KiB (65536 bytes)" "dma-heap alloc"
has "$T/out" 'name "via-heap"' "... and a name"
run 0 "alloc --heap --json" "$CTL" alloc --heap --pool "$POOL" --size 4K --json
has "$T/out" '"id": null,' "dma-heap buffers have no id"

echo "# alloc errors"
run 1 "alloc size 0" "$CTL" alloc --pool "$POOL" --size 0
has "$T/err" "(EINVAL)" "size 0 -> EINVAL"
run 1 "alloc above the pool" "$CTL" alloc --pool "$POOL" --size $((total + 4096))
has "$T/err" "(EFBIG): larger than the pool's max buffer size" "too big -> EFBIG"
if [ -w "$PARAMS/max_file_bytes" ]; then
	old=$(cat "$PARAMS/max_file_bytes")
	echo 4096 >"$PARAMS/max_file_bytes"
	run 1 "alloc 8K with max_file_bytes=4096" "$CTL" alloc --pool "$POOL" --size 8K
	has "$T/err" "alloc 8192 bytes from $POOL: Disk quota exceeded (EDQUOT): per-file limit reached" "-> EDQUOT"
	run 0 "info shows the limit" "$CTL" info "$POOL"
	has "$T/out" "per file      4 KiB" "per-file byte limit shown"
	echo "$old" >"$PARAMS/max_file_bytes"
fi
"$CTL" alloc --pool "$POOL" --size $((total - 4 * 1048576)) --hold inf >"$T/hold" 2>&1 &
holder=$!
i=0
while [ "$(cat "$SYSFS/buffers")" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
run 1 "alloc 8M while the pool is nearly full" "$CTL" alloc --pool "$POOL" --size 8M
has "$T/err" "(ENOMEM)" "-> ENOMEM"
run 0 "info while held" "$CTL" info "$POOL"
has "$T/out" "in 1 buffer" "info counts the held buffer"
kill "$holder"
wait "$holder"
i=0
while ! pool_idle && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if pool_idle; then ok "killing the holder frees the pool"; else bad "pool not idle after the holder"; fi

echo "# serve and fetch"
sock=$T/sock
"$CTL" serve --pool "$POOL" --size 1M --fill 'hello ' --socket "$sock" --count 2 --timeout 30 >"$T/serve" 2>&1 &
server=$!
run 0 "fetch" "$CTL" fetch --socket "$sock"
cp "$T/out" "$T/fetch1"
run 0 "fetch --write" "$CTL" fetch --socket "$sock" --write 'written by fetch'
cp "$T/out" "$T/fetch2"
wait "$server"
rc=$?
if [ $rc -eq 0 ]; then ok "serve exits 0"; else bad "serve exit $rc"; fi
sed 's/^/#   /' "$T/serve" "$T/fetch1" "$T/fetch2"
ino=$(sed -n 's/^serve: .*dma-buf inode \([0-9]*\)$/\1/p' "$T/serve")
has "$T/fetch1" "dma-buf inode $ino\$" "fetch sees the same dma-buf inode ($ino)"
sum=$(sed -n 's/^serve: filled it: .*fnv1a64 \([0-9a-f]*\)$/\1/p' "$T/serve")
has "$T/fetch1" "fnv1a64 $sum\$" "fetch sees the same checksum as serve"
has "$T/fetch1" '(1048576 bytes)' "fetch gets the size with lseek"
has "$T/serve" 'buffer now starts: "written by fetcho hello hello' "serve sees fetch's write"
if [ ! -e "$sock" ]; then ok "serve removed its socket"; else bad "socket left behind"; fi
run 1 "fetch with no server" "$CTL" fetch --socket "$sock" --timeout 0

echo "# hold and the owner's commands"
hsock=$T/hold.sock
"$CTL" hold --pool "$POOL" --size 64K --fill 'held ' --socket "$hsock" --timeout 120 >"$T/hold.log" 2>&1 &
holder=$!
i=0
while [ ! -S "$hsock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(stat -c %a "$hsock")" = 600 ]; then ok "hold's socket is mode 0600"; else bad "hold's socket is mode $(stat -c %a "$hsock")"; fi
run 0 "query --socket" "$CTL" query --socket "$hsock"
has "$T/out" "^buffer [1-9][0-9]* of $POOL: 64 KiB, live, seals none" "query shows the held buffer"
has "$T/out" "0 grants" "no grants yet"
run 0 "grant --json" "$CTL" grant --socket "$hsock" --rights read,dma --json
has "$T/out" '"rights": \[' "grant --json lists the rights"
has "$T/out" '"dma"' "... read and dma"
run 0 "grant -rw --bind-self -- query --fd 3" "$CTL" grant --socket "$hsock" -r rw --bind-self -- "$CTL" query --pool "$POOL" --fd 3
has "$T/out" "bound to pid" "the grant is bound to the client"
has "$T/out" "^fd 3: buffer [1-9][0-9]* of $POOL, grant [1-9]" "the command sees its grant on fd 3"
has "$T/out" "rights read,write; seals none" "... with its rights"
run 2 "grant --bind and --bind-self" "$CTL" grant --socket "$hsock" --bind 1 --bind-self
run 1 "grant bound to a missing process" "$CTL" grant --socket "$hsock" --bind 999999
has "$T/err" "(ESRCH)" "binding to a missing process: ESRCH"

# A grant kept by a running command, revoked from outside.
"$CTL" grant --socket "$hsock" --rights read -- sleep 60 >"$T/kept" 2>&1 &
keeper=$!
i=0
while ! grep -q '^grant ' "$T/kept" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
gid=$(sed -n 's/^grant \([0-9]*\) of buffer.*/\1/p' "$T/kept")
run 0 "query lists the kept grant" "$CTL" query --socket "$hsock" --json
has "$T/out" "\"grant_id\": $gid," "grant $gid is listed"
run 0 "revoke --grant $gid" "$CTL" revoke --socket "$hsock" --grant "$gid"
has "$T/out" "^revoked grant $gid of buffer [0-9]*; 0 bytes of the pool quarantined" "revoke reports the quarantine"
run 0 "query after the revocation" "$CTL" query --socket "$hsock"
has "$T/out" "grant $gid  *read  *revoked" "grant $gid is revoked, the buffer is not"
has "$T/out" ": 64 KiB, live," "the buffer is still live"
run 1 "revoke an unknown grant" "$CTL" revoke --socket "$hsock" --grant 999999
has "$T/err" "(ENOENT)" "-> ENOENT"
kill "$keeper"
wait "$keeper" 2>/dev/null

run 0 "dma-begin --strict" "$CTL" dma-begin --socket "$hsock" --strict
has "$T/out" "DMA window open (strict)" "a window is open"
run 0 "query during the window" "$CTL" query --socket "$hsock" --json
has "$T/out" '"state": "dma"' "query: state dma"
run 1 "a second dma-begin" "$CTL" dma-begin --socket "$hsock" --wait
has "$T/err" "(EBUSY)" "-> EBUSY"
run 0 "dma-end" "$CTL" dma-end --socket "$hsock" --json
has "$T/out" '"dma_window": false' "the window is closed"
run 1 "dma-end without a window" "$CTL" dma-end --socket "$hsock"
has "$T/err" "(ENOENT)" "-> ENOENT"

run 0 "seal write" "$CTL" seal --socket "$hsock" write
has "$T/out" "seals: write$" "the buffer is write-sealed"
run 1 "dma-begin on a write-sealed buffer" "$CTL" dma-begin --socket "$hsock" --wait --json
has "$T/out" '"errno": "EPERM"' "-> EPERM, also in JSON"
run 0 "seal grant,seal" "$CTL" seal --socket "$hsock" grant,seal --json
has "$T/out" '"seal"' "seals: all but revoke"
run 1 "grant after seal grant" "$CTL" grant --socket "$hsock"
has "$T/err" "(EPERM)" "-> EPERM"
run 0 "revoke the whole buffer" "$CTL" revoke --socket "$hsock" --wait 5 --json
has "$T/out" '"quarantined_bytes": 0' "nothing quarantined"
has "$T/out" '"grant_id": null' "the whole buffer"
run 0 "query the revoked buffer" "$CTL" query --socket "$hsock"
has "$T/out" ", revoked, seals write,grant,seal" "query: revoked, sealed"
run 1 "query --fd of a descriptor that is no dma-buf" "$CTL" query --pool "$POOL" --fd 0
kill "$holder"
wait "$holder"
rc=$?
if [ $rc -eq 0 ]; then ok "hold exits 0 on SIGTERM"; else bad "hold exit $rc"; fi
sed 's/^/#   /' "$T/hold.log"
has "$T/hold.log" "hold: pid [0-9]*: revoke grant $gid: done" "hold logs the requests"
if [ ! -e "$hsock" ]; then ok "hold removed its socket"; else bad "hold left its socket"; fi

echo "# demo security"
run 0 "demo security" "$CTL" demo security --pool "$POOL" --size 64K
has "$T/out" "secbuf security demo: [1-9][0-9]* passed, 0 failed" "every step behaved"

# is_png FILE WHAT: FILE starts with the PNG signature.
is_png() {
	if [ "$(head -c 4 "$1" 2>/dev/null | tail -c 3)" = PNG ]; then
		ok "$2 is a PNG"
	else
		bad "$2 is not a PNG"
	fi
}

echo "# demo pipeline"
if [ -d /sys/module/vivid ] && [ -d /sys/module/vgem ]; then
	run 0 "demo pipeline" "$CTL" demo pipeline --pool "$POOL" --frames 5 \
		--snapshot "$T/frame.png"
	has "$T/out" "frames  *5 captured, 5 checked in place: 5 ok" "every frame checked"
	has "$T/out" "copies made  *1: the --snapshot frame" "one copy, the snapshot's"
	has "$T/out" "secbuf pipeline: ok" "it says ok last"
	is_png "$T/frame.png" "the snapshot"
	# Other formats vivid captures: libv4lconvert makes RGB of each
	# frame for the check, and of the first for the PNG.
	for f in UYVY NV12 YU12 RGB3 BGR3 RGBP BA81 GREY; do
		rm -f "$T/frame.png"
		run 0 "demo pipeline --format $f" "$CTL" demo pipeline \
			--pool "$POOL" --frames 2 --ring 2 --format "$f" \
			--snapshot "$T/frame.png"
		has "$T/out" "frames  *2 captured, 2 checked as RGB: 2 ok" "$f: both frames checked"
		has "$T/out" "ok: 75% colorbar ($f, converted)" "$f: the bars, made RGB"
		is_png "$T/frame.png" "$f: the snapshot"
	done
else
	echo "# no vivid or no vgem: demo pipeline skipped"
fi

i=0
while ! pool_idle && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if pool_idle; then ok "pool idle at the end"; else bad "pool not idle at the end"; fi

rm -rf "$T"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
