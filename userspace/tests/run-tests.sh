#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host checks of libsecbuf and secbufctl that need no secbuf driver.
# Run through 'make -C userspace test', which passes the variables below.
# Ends with a "N passed, N failed" line; exits 1 if anything failed.

set -u

: "${O:?}" "${SRCDIR:?}" "${VERSION:?}" "${SONAME:?}" "${REALNAME:?}"
: "${NM:=nm}" "${CC:=cc}" "${PKG_CONFIG:=pkg-config}" "${TEST_BIN:?}"
# Whether this build has libdrm; not for the sub-makes, which decide anew.
have_libdrm=${HAVE_LIBDRM:-}
unset HAVE_LIBDRM

CTL="$O/bin/secbufctl"
LIB="$O/lib/libsecbuf.so"
MAP="$SRCDIR/lib/libsecbuf.map"
HDR="$SRCDIR/include/secbuf.h"

tmp=$(mktemp -d /tmp/secbuf-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: passes if COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

# run WANT_RC DESCRIPTION COMMAND...: stdout/stderr go to $tmp/out, $tmp/err.
run() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$desc (exit $rc)"
	else
		bad "$desc: exit $rc, want $want"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
}

have_python=false
command -v python3 >/dev/null && have_python=true

# json_check DESCRIPTION PYTHON-EXPR: $tmp/out must be JSON (python3 -m
# json.tool reads it) and EXPR (on the parsed document, as d) must be true.
json_check() {
	local desc=$1 expr=$2
	if ! $have_python; then
		echo "# skipped (no python3): $desc"
		return
	fi
	if python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/pyerr" &&
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ('"$expr"') else 1)' "$tmp/out" 2>"$tmp/pyerr"; then
		ok "$desc"
	else
		bad "$desc"
		sed 's/^/#   /' "$tmp/out" "$tmp/pyerr"
	fi
}

echo "# exported symbols"

# Exported, versioned functions of the .so; the map's global names; the
# functions the header declares.
"$NM" -D --defined-only "$LIB" | awk '$2 == "T" { print $3 }' |
	sort >"$tmp/nm"
sed -n 's/^[[:space:]]*\(secbuf_[a-z0-9_]*\);.*/\1/p' "$MAP" | sort >"$tmp/map"
grep -o '^[a-z].*\bsecbuf_[a-z0-9_]*(' "$HDR" |
	sed 's/.*\b\(secbuf_[a-z0-9_]*\)($/\1/' | sort -u >"$tmp/hdr"

sed 's/@@LIBSECBUF_1$//' "$tmp/nm" >"$tmp/nm-names"
check "exported symbols equal libsecbuf.map ($(wc -l <"$tmp/map") functions)" \
	diff -u "$tmp/map" "$tmp/nm-names"
check "every exported symbol is versioned LIBSECBUF_1" \
	bash -c '! grep -v "@@LIBSECBUF_1$" "$1"' _ "$tmp/nm"
check "the header declares exactly the functions of the map" \
	diff -u "$tmp/map" "$tmp/hdr"
check "nothing else is exported (no data, no helpers)" \
	bash -c '! "$1" -D --defined-only "$2" |
		 grep -v -e " T secbuf_" -e " A LIBSECBUF_1$"' _ "$NM" "$LIB"
check "soname is $SONAME" \
	bash -c 'readelf -d "$1" | grep -q "SONAME.*\[$2\]"' _ "$LIB" "$SONAME"
check "libsecbuf.so -> $SONAME -> $REALNAME" \
	test "$(readlink "$O/lib/libsecbuf.so")" = "$SONAME" -a \
	     "$(readlink "$O/lib/$SONAME")" = "$REALNAME"
check "libsecbuf.a exists" test -s "$O/lib/libsecbuf.a"

echo "# library (no driver: memfds and /dev/null stand in)"

"$TEST_BIN" >"$tmp/lib-out" 2>&1
sed 's/^/    /' "$tmp/lib-out"
line=$(tail -n 1 "$tmp/lib-out")
if [[ $line =~ ^libsecbuf:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	pass=$((pass + BASH_REMATCH[1]))
	fail=$((fail + BASH_REMATCH[2]))
else
	bad "test-libsecbuf did not finish"
fi

echo "# libdrm, optional"

if [ "$have_libdrm" = 1 ]; then
	check "libsecbuf.so needs libdrm" \
		bash -c 'readelf -d "$1" | grep -q "NEEDED.*\[libdrm\.so"' _ "$LIB"
	check "libsecbuf.pc has Requires.private: libdrm" \
		grep -qx "Requires.private: libdrm" "$O/lib/pkgconfig/libsecbuf.pc"
else
	echo "# built without libdrm (pkg-config finds none): its checks are skipped"
fi
# The same library without libdrm: the same ABI, every secbuf_drm_* call
# fails with ENOSYS (test-libsecbuf checks that when built so).
if make -s -C "$SRCDIR" O="$tmp/nodrm" LIBDRM=no lib tests secbufctl \
	>"$tmp/nodrm-log" 2>&1; then
	ok "make LIBDRM=no lib tests secbufctl"
	"$NM" -D --defined-only "$tmp/nodrm/lib/libsecbuf.so" |
		awk '$2 == "T" { print $3 }' | sort >"$tmp/nm-nodrm"
	check "... exports the same symbols, secbuf_drm_* included" \
		diff -u "$tmp/nm" "$tmp/nm-nodrm"
	check "... does not need libdrm" \
		bash -c '! readelf -d "$1" | grep -q "NEEDED.*libdrm"' _ \
		"$tmp/nodrm/lib/libsecbuf.so"
	check "... and its .pc requires nothing" \
		bash -c '! grep -q "^Requires" "$1"' _ \
		"$tmp/nodrm/lib/pkgconfig/libsecbuf.pc"
	"$tmp/nodrm/obj/userspace/tests/test-libsecbuf" >"$tmp/nodrm-out" 2>&1
	grep -i "drm" "$tmp/nodrm-out" | sed 's/^/    /'
	check "... test-libsecbuf passes there too" \
		bash -c 'tail -n 1 "$1" | grep -q "passed, 0 failed$"' _ \
		"$tmp/nodrm-out"
	run 1 "... demo pipeline" "$tmp/nodrm/bin/secbufctl" demo pipeline
	check "... says it needs libdrm" grep -q "demo pipeline needs libdrm" "$tmp/err"
else
	bad "make LIBDRM=no lib tests secbufctl"
	sed 's/^/#   /' "$tmp/nodrm-log"
fi
# secbufctl without the optional libraries: the options that need them
# fail at once and say which library is missing.
if make -s -C "$SRCDIR" O="$tmp/nolib" LIBPNG=no V4LCONVERT=no \
	secbufctl >"$tmp/nolib-log" 2>&1; then
	ok "make LIBPNG=no V4LCONVERT=no secbufctl"
	check "... does not need libpng or libv4lconvert" \
		bash -c '! readelf -d "$1" | grep -Eq "NEEDED.*(libpng|libv4lconvert)"' _ \
		"$tmp/nolib/bin/secbufctl"
	run 1 "... demo pipeline --snapshot" \
		"$tmp/nolib/bin/secbufctl" demo pipeline --snapshot "$tmp/x.png"
	check "... says what it needs" grep -q "needs libv4lconvert .*built without it" "$tmp/err"
	run 1 "... demo pipeline --format NV12" \
		"$tmp/nolib/bin/secbufctl" demo pipeline --format NV12
	check "... says what it needs" grep -q "other than YUYV needs libv4lconvert" "$tmp/err"
else
	bad "make LIBPNG=no V4LCONVERT=no secbufctl"
	sed 's/^/#   /' "$tmp/nolib-log"
fi
if [[ -n $HAVE_LIBPNG && -n $HAVE_V4LCONVERT ]]; then
	check "secbufctl links libpng and libv4lconvert" \
		bash -c 'readelf -d "$1" | grep -q "NEEDED.*libpng" &&
			 readelf -d "$1" | grep -q "NEEDED.*libv4lconvert"' _ \
		"$O/bin/secbufctl"
else
	echo "# built without libpng or libv4lconvert: --snapshot refuses to run"
fi
check "LIBDRM=maybe is refused" \
	bash -c '! make -s -C "$1" O="$2/bogus" LIBDRM=maybe lib >/dev/null 2>&1' _ \
	"$SRCDIR" "$tmp"

echo "# pkg-config"

cat >"$tmp/prog.c" <<'PROG'
#include <secbuf.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	(void)argc;
	return strcmp(secbuf_api_version(), argv[1]) != 0;
}
PROG

export PKG_CONFIG_PATH="$O/lib/pkgconfig"
check "pkg-config --modversion is $VERSION" \
	test "$($PKG_CONFIG --modversion libsecbuf)" = "$VERSION"
check "uninstalled .pc points at the source headers" \
	bash -c '"$1" --cflags libsecbuf | grep -q -- "-I$2/include"' _ \
	"$PKG_CONFIG" "$SRCDIR"
check "a program builds and runs against the build tree" \
	bash -c '"$1" -o "$2/prog" "$2/prog.c" $("$3" --cflags --libs libsecbuf) &&
		 LD_LIBRARY_PATH="$4/lib" "$2/prog" "$5"' _ \
	"$CC" "$tmp" "$PKG_CONFIG" "$O" "$VERSION"
check "installed .pc has the configured prefix" \
	bash -c 'PKG_CONFIG_DISABLE_UNINSTALLED=1 \
		 "$1" --variable=prefix libsecbuf | grep -qx "/usr/local"' _ \
	"$PKG_CONFIG"
unset PKG_CONFIG_PATH

echo "# install"

inst="$tmp/inst"
if make -s -C "$SRCDIR" O="$tmp/build" PREFIX=/usr DESTDIR="$inst" \
	install >"$tmp/inst-log" 2>&1; then
	ok "make install PREFIX=/usr DESTDIR=..."
else
	bad "make install"
	sed 's/^/#   /' "$tmp/inst-log"
fi
for f in usr/bin/secbufctl usr/include/secbuf.h usr/lib/$REALNAME \
	 usr/lib/$SONAME usr/lib/libsecbuf.so usr/lib/libsecbuf.a \
	 usr/lib/pkgconfig/libsecbuf.pc; do
	check "installed $f" test -e "$inst/$f"
done
# The system's .pc files too: libsecbuf.pc may require libdrm.
check "installed .pc builds a program against the installed tree" \
	bash -c 'export PKG_CONFIG_LIBDIR="$1/usr/lib/pkgconfig:$("$4" --variable pc_path pkg-config)"
		 export PKG_CONFIG_SYSROOT_DIR="$1"
		 "$2" -o "$3/prog2" "$3/prog.c" $("$4" --cflags --libs libsecbuf) &&
		 LD_LIBRARY_PATH="$1/usr/lib" "$3/prog2" "$5"' _ \
	"$inst" "$CC" "$tmp" "$PKG_CONFIG" "$VERSION"
check "libsecbuf.a links a static program" \
	bash -c '"$1" -static -o "$2/prog3" "$2/prog.c" -I"$3/usr/include" \
		 "$3/usr/lib/libsecbuf.a" && "$2/prog3" "$4"' _ \
	"$CC" "$tmp" "$inst" "$VERSION"

echo "# secbufctl usage and exit codes"

run 0 "secbufctl --help" "$CTL" --help
check "--help goes to stdout" grep -q '^Usage: secbufctl' "$tmp/out"
run 0 "secbufctl -h" "$CTL" -h
run 0 "secbufctl --version" "$CTL" --version
check "--version says $VERSION" grep -q "secbufctl $VERSION " "$tmp/out"
run 2 "secbufctl (no command)" "$CTL"
check "usage errors point at --help" grep -q "Try 'secbufctl --help'" "$tmp/err"
run 2 "secbufctl bogus" "$CTL" bogus
run 2 "secbufctl --bogus" "$CTL" --bogus
run 2 "secbufctl --dev-dir (no argument)" "$CTL" --dev-dir
for cmd in info alloc serve fetch hold grant revoke seal dma-begin dma-end query demo; do
	run 0 "secbufctl $cmd --help" "$CTL" "$cmd" --help
	check "$cmd --help shows its usage" \
		grep -q "^Usage: secbufctl $cmd" "$tmp/out"
	run 0 "secbufctl help $cmd" "$CTL" help "$cmd"
	run 2 "secbufctl $cmd --bogus" "$CTL" "$cmd" --bogus
done
run 2 "secbufctl help bogus" "$CTL" help bogus
run 2 "alloc without --pool" "$CTL" alloc --size 4K
run 2 "alloc without --size" "$CTL" alloc --pool gpu
run 2 "alloc --size 1Q" "$CTL" alloc --pool gpu --size 1Q
run 2 "alloc --size 99999999999G (overflow)" "$CTL" alloc --pool gpu --size 99999999999G
run 2 "alloc --size missing its argument" "$CTL" alloc --pool gpu --size
check "missing arguments are named" grep -q "option '--size' needs an argument" "$tmp/err"
run 2 "alloc --hold soon" "$CTL" alloc --pool gpu --size 4K --hold soon
run 2 "alloc --fill with --read-only" "$CTL" alloc --pool gpu --size 4K --fill x --read-only
run 2 "alloc --name too long" "$CTL" alloc --pool gpu --size 4K --name 0123456789012345678901234567890123
run 2 "alloc stray argument" "$CTL" alloc --pool gpu --size 4K extra
run 2 "serve without --socket" "$CTL" serve --pool gpu --size 4K
run 2 "serve --count 0" "$CTL" serve --pool gpu --size 4K --socket "$tmp/s" --count 0
run 2 "fetch without --socket" "$CTL" fetch
run 2 "fetch --timeout x" "$CTL" fetch --socket "$tmp/s" --timeout x
run 2 "hold without --socket" "$CTL" hold --pool gpu --size 4K
run 2 "hold --timeout 0" "$CTL" hold --pool gpu --size 4K --socket "$tmp/h" --timeout 0
run 2 "grant without --socket" "$CTL" grant
run 2 "grant --rights rx" "$CTL" grant --socket "$tmp/h" --rights rx
check "... names the rights" grep -q "read, write, dma, regrant, all" "$tmp/err"
run 2 "grant --rights read," "$CTL" grant --socket "$tmp/h" --rights read,
run 2 "grant --bind with --bind-self" "$CTL" grant --socket "$tmp/h" --bind 1 --bind-self
run 2 "grant --bind 0" "$CTL" grant --socket "$tmp/h" --bind 0
run 2 "revoke --grant 0" "$CTL" revoke --socket "$tmp/h" --grant 0
run 2 "revoke --wait x" "$CTL" revoke --socket "$tmp/h" --wait x
run 2 "revoke stray argument" "$CTL" revoke --socket "$tmp/h" 3
run 2 "seal without seals" "$CTL" seal --socket "$tmp/h"
run 2 "seal bogus" "$CTL" seal --socket "$tmp/h" write,bogus
run 2 "dma-begin without a policy" "$CTL" dma-begin --socket "$tmp/h"
run 2 "dma-begin --wait --strict" "$CTL" dma-begin --socket "$tmp/h" --wait --strict
run 2 "dma-end --strict" "$CTL" dma-end --socket "$tmp/h" --strict
run 2 "query without --socket or --fd" "$CTL" query
run 2 "query --fd without --pool" "$CTL" query --fd 3
run 2 "query --socket with --fd" "$CTL" query --socket "$tmp/h" --pool gpu --fd 3
run 2 "demo without a name" "$CTL" demo
run 2 "demo bogus" "$CTL" demo bogus
run 2 "demo security --size 1K" "$CTL" demo security --size 1K
run 0 "demo pipeline --help" "$CTL" demo pipeline --help
check "... shows its usage" grep -q "^Usage: secbufctl demo pipeline" "$tmp/out"
run 0 "help demo lists the pipeline" "$CTL" help demo
check "... it does" grep -q "secbufctl demo pipeline" "$tmp/out"
run 2 "demo pipeline --frames 0" "$CTL" demo pipeline --frames 0
run 2 "demo pipeline --frames x" "$CTL" demo pipeline --frames x
run 2 "demo pipeline --ring 1" "$CTL" demo pipeline --ring 1
run 2 "demo pipeline --ring 17" "$CTL" demo pipeline --ring 17
run 2 "demo pipeline --gpu-ms 5001" "$CTL" demo pipeline --gpu-ms 5001
run 2 "demo pipeline --snapshot ''" "$CTL" demo pipeline --snapshot ''
run 2 "demo pipeline --bogus" "$CTL" demo pipeline --bogus
run 2 "demo pipeline extra" "$CTL" demo pipeline extra
run 2 "demo --pool camera pipeline" "$CTL" demo --pool camera pipeline
check "... says the options go after the name" \
	grep -q "the options of 'demo pipeline' go after its name" "$tmp/err"

echo "# secbufctl error paths"

run 1 "info with a missing pool directory" "$CTL" --dev-dir "$tmp/nodir" info
check "it says what is missing, with the errno name" \
	grep -q "$tmp/nodir: No such file or directory (ENOENT)" "$tmp/err"
run 1 "info --json with a missing pool directory" \
	"$CTL" --dev-dir "$tmp/nodir" info --json
json_check "... prints valid JSON with the error" \
	'd["pools"] == [] and d["errors"][0]["errno"] == "ENOENT" and d["errors"][0]["path"].endswith("/nodir")'

mkdir "$tmp/empty"
run 0 "info --json with an empty pool directory" \
	"$CTL" --dev-dir "$tmp/empty" info --json
json_check "... prints empty pools and errors" 'd == {"pools": [], "errors": []}'

mkdir "$tmp/odd"
odd=$(printf 'we"ird\\na\nme\001\377')
: >"$tmp/odd/$odd"
run 1 "info --json on a non-device with an odd name" \
	"$CTL" --dev-dir "$tmp/odd" info --json
json_check "... escapes the name into valid JSON" \
	'd["errors"][0]["errno"] == "ENODEV" and "we\"ird\\na\nme\u0001\ufffd" in d["errors"][0]["path"]'
run 1 "info --json on /dev/null" "$CTL" info --json /dev/null
json_check "... reports ENOTTY" 'd["errors"][0]["errno"] == "ENOTTY"'
run 1 "info of a missing pool by name" "$CTL" --dev-dir "$tmp/empty" info gpu
check "... hints that the module may not be loaded" \
	grep -q "(ENOENT): no such pool" "$tmp/err"

run 1 "alloc from a missing pool" "$CTL" --dev-dir "$tmp/empty" alloc --pool gpu --size 4K
run 1 "alloc from /dev/null" "$CTL" alloc --pool /dev/null --size 4K
check "... names the errno" grep -q "alloc 4096 bytes from null: .*(ENOTTY)" "$tmp/err"
run 1 "alloc --heap from a missing heap" "$CTL" alloc --heap --pool /no/such/heap --size 4K
check "... names the heap node" grep -q "alloc 4096 bytes from /no/such/heap: .*(ENOENT)" "$tmp/err"
run 1 "serve from /dev/null" "$CTL" serve --pool /dev/null --size 4K --socket "$tmp/s"
run 1 "fetch with no server" "$CTL" fetch --socket "$tmp/nosock" --timeout 0
check "... hints at serve" grep -q "is 'secbufctl serve' running?" "$tmp/err"
run 1 "grant with no hold" "$CTL" grant --socket "$tmp/nosock"
check "... hints at hold" grep -q "is 'secbufctl hold' running?" "$tmp/err"
run 1 "query --json with no hold" "$CTL" query --socket "$tmp/nosock" --json
json_check "... prints the error as JSON" 'd["error"]["errno"] == "ENOENT"'
run 1 "hold from /dev/null" "$CTL" hold --pool /dev/null --size 4K --socket "$tmp/h"
check "... leaves no socket" test ! -e "$tmp/h"
run 1 "query --fd of a non-secbuf pool" "$CTL" query --pool /dev/null --fd 0
check "... names the ioctl" grep -q "SECBUF_IOC_QUERY: .*(ENOTTY)" "$tmp/err"
run 1 "demo security with no pool" "$CTL" --dev-dir "$tmp/empty" demo security
check "... fails its first step" grep -q "^  \[FAILED\] 1\. " "$tmp/out"
check "... and says so last" bash -c 'tail -n 1 "$1" | grep -q "0 passed, 1 failed$"' _ "$tmp/out"
run 1 "demo pipeline on a node that is not vivid's" \
	"$CTL" demo pipeline --video /dev/null
check "... says so" grep -q "/dev/null is not vivid's video capture node" "$tmp/err"
check "... and fails last" bash -c 'tail -n 1 "$1" | grep -qx "secbuf pipeline: FAILED"' _ "$tmp/out"

# A stand-in for 'secbufctl hold' that answers one request with $2 and
# writes the request it got to $1.
fake_hold() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
open(sys.argv[2], "w").write(c.recv(4096).decode())
c.send(sys.argv[3].encode().decode("unicode_escape").encode())
c.close()' "$tmp/fake" "$tmp/req" "$1" &
	fake=$!
	for _ in $(seq 50); do [ -S "$tmp/fake" ] && break; sleep 0.1; done
}
if $have_python; then
	fake_hold 'ok\nid=7 seals=9\n'
	run 0 "seal write,seal (fake hold)" "$CTL" seal --socket "$tmp/fake" write,seal
	wait $fake; rm -f "$tmp/fake"
	check "... sends the seal bits" grep -qx "seal seals=9" "$tmp/req"
	check "... prints the seals" grep -qx "buffer 7 seals: write,seal" "$tmp/out"
	fake_hold 'error 1\n'
	run 1 "revoke --grant 3 (fake hold says EPERM)" "$CTL" revoke --socket "$tmp/fake" --grant 3
	wait $fake; rm -f "$tmp/fake"
	check "... sends the grant id" grep -qx "revoke grant=3 wait_ms=0" "$tmp/req"
	check "... reports EPERM" grep -q "(EPERM)" "$tmp/err"
	fake_hold 'ok\nid=7 size=65536 state=2 seals=0 grants=1 quarantined_bytes=0 pool=gpu\ngrant id=4 rights=5 state=1 mappings=2 attachments=1 pid=42\n'
	run 0 "query --json (fake hold)" "$CTL" query --socket "$tmp/fake" --json
	wait $fake; rm -f "$tmp/fake"
	json_check "... parses the reply" 'd["state"] == "dma" and d["grants"] == [{"grant_id": 4, "rights": ["read", "dma"], "state": "revoked", "mappings": 2, "attachments": 1, "pid": 42}]'
else
	echo "# skipped (no python3): secbufctl against a stand-in hold"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
