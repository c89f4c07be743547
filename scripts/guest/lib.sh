# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the guest scripts (busybox ash). Installed in the initramfs as
# /usr/libexec/secbuf/lib.sh.
#
# Everything the host parses (scripts/parse-console) is a line starting with
# "SECBUF-". The kernel may print on the console too, so each marker is
# written with one write() on a line of its own.

SECBUF_KO=${SECBUF_KO:-/lib/modules/secbuf.ko}

mark() { echo "SECBUF-$*"; }

# A failure of the whole run, not of one subtest: counted by the host.
lane_fail() { mark "LANE-FAIL: $*"; }

info() { mark "INFO: $*"; }

# The kernel messages printed since the last call, between markers, so that
# the host can attribute a kernel report to what ran just before. Nothing
# at all when there are none.
dump_kmsg() {
	dmesg -c >/tmp/secbuf-kmsg
	[ -s /tmp/secbuf-kmsg ] || return 0
	mark "DMESG-BEGIN $1"
	cat /tmp/secbuf-kmsg
	mark "DMESG-END $1"
}

secbuf_loaded() { [ -d /sys/module/secbuf ]; }

# load_secbuf: insmod with the board's module parameters (lane.conf). On a
# kernel whose dma-heap framework secbuf uses, secbuf_dma_heap.ko first: it
# holds the pools' heaps and stays loaded (a heap cannot be removed).
SECBUF_DMA_HEAP_KO=${SECBUF_KO%/*}/secbuf_dma_heap.ko
# shellcheck disable=SC2086 # INSMOD_ARGS is a list of words
load_secbuf() {
	if [ -f "$SECBUF_DMA_HEAP_KO" ] && [ ! -d /sys/module/secbuf_dma_heap ]; then
		# Its "heaps" parameter is read-only, also at load time (where
		# the kernel calls .set without checking the mode): refused,
		# without a crash (parse-console fails the lane on an oops).
		if insmod "$SECBUF_DMA_HEAP_KO" heaps=spoofed 2>/dev/null; then
			echo "secbuf_dma_heap.ko loaded with heaps=spoofed: the parameter must be read-only"
			return 1
		fi
		insmod "$SECBUF_DMA_HEAP_KO" || return
	fi
	insmod "$SECBUF_KO" $INSMOD_ARGS
}

# check_pools WHAT: every pool of the board is registered (sysfs and device
# nodes). Prints one line per problem and returns nonzero if any.
check_pools() {
	_bad=0
	for _p in $POOLS; do
		for _f in /sys/class/misc/secbuf-$_p /dev/secbuf/$_p /dev/dma_heap/$_p; do
			if [ ! -e "$_f" ]; then
				echo "$1: $_f is missing"
				_bad=1
			fi
		done
	done
	return $_bad
}

# pool_leaks: one line per pool counter that is not back to zero, and with
# the dmem cgroup controller per secbuf region whose charge is not (the
# root's dmem.current counts every cgroup's, removed ones too), and per
# cgroup secbuf_cgroup left behind (removed here).
pool_leaks() {
	for _p in $POOLS; do
		for _f in used_bytes buffers; do
			_v=unreadable
			read -r _v 2>/dev/null <"/sys/class/misc/secbuf-$_p/$_f"
			[ "$_v" = 0 ] || echo "pool $_p: $_f is $_v after the subtest, not 0"
		done
	done
	[ -e /sys/fs/cgroup/dmem.capacity ] || return 0
	while read -r _r _v; do
		case $_r in
		secbuf/*) [ "$_v" = 0 ] || echo "dmem cgroups: $_r is charged $_v bytes after the subtest, not 0" ;;
		esac
	done </sys/fs/cgroup/dmem.current
	for _c in /sys/fs/cgroup/secbuf-cgroup-*; do
		[ -d "$_c" ] || continue
		echo "cgroup ${_c#/sys/fs/cgroup/} left behind"
		rmdir "$_c"/* "$_c" 2>/dev/null
	done
}

