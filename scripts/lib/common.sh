# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the secbuf VM harness. Sourced by every entry point in
# scripts/; never executed on its own.

SECBUF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECBUF_SCRIPTS=$SECBUF_TOP/scripts
SECBUF_BUILD=${SECBUF_BUILD:-$SECBUF_TOP/build}
SECBUF_DEFAULT_LANES="arm64-6.1 arm64-6.12 arm64-7.x x86_64-7.x x86_64-debug"

# Progress goes to stderr so that stdout stays machine-readable where needed
# (lane-env prints shell variables on stdout).
msg() { printf '%s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The package cache lives outside the repository: downloads are big and must
# survive "make clean" and fresh clones.
secbuf_cache_dir() {
	local dir=${SECBUF_CACHE:-/var/cache/secbuf}

	if ! mkdir -p "$dir" 2>/dev/null || [[ ! -w $dir ]]; then
		[[ -n ${SECBUF_CACHE:-} ]] && die "cache directory $dir is not writable"
		dir=${XDG_CACHE_HOME:-$HOME/.cache}/secbuf
		mkdir -p "$dir" || die "cannot create cache directory $dir"
	fi
	printf '%s\n' "$dir"
}

# apt-cache with its binary cache kept in ours: Docker-style images disable
# apt's own (Dir::Cache::pkgcache ""), which makes every call take seconds.
# apt rebuilds this cache by itself whenever the package lists change.
# With APT_SUITE set (lib/lane.sh, for a lane's LANE_SUITE kernel packages),
# the private configuration of that suite (lib/suite.sh) instead.
apt_cache() {
	local dir

	if [[ -n ${APT_SUITE:-} ]]; then
		suite_apt "$APT_SUITE" apt-cache "$@"
		return
	fi
	dir=$(secbuf_cache_dir)/apt
	mkdir -p "$dir"
	apt-cache -o Dir::Cache::pkgcache="$dir/pkgcache.bin" \
		  -o Dir::Cache::srcpkgcache="$dir/srcpkgcache.bin" "$@"
}

# with_lock FILE CMD...: run CMD (a function too) holding an exclusive lock.
with_lock() {
	local lock=$1
	shift

	mkdir -p "$(dirname "$lock")"
	(
		flock 9
		"$@"
	) 9>"$lock"
}

# Two harness runs (say "make lint" and "make check") must not extract into
# the cache at once.
with_cache_lock() { with_lock "$(secbuf_cache_dir)/.lock" "$@"; }

# Builds share the module's source directory and build/: one at a time.
SECBUF_BUILD_LOCK=$SECBUF_BUILD/.build.lock

lane_conf() { printf '%s/lanes/%s.conf\n' "$SECBUF_SCRIPTS" "$1"; }

known_lanes() {
	local f

	for f in "$SECBUF_SCRIPTS"/lanes/*.conf; do
		f=${f##*/}
		printf '%s ' "${f%.conf}"
	done
	printf '\n'
}

# load_lane LANE: sets LANE, the LANE_* variables of scripts/lanes/LANE.conf
# and the board's variables (QEMU, QEMU_OPTS, BOARD_POOLS, ...).
load_lane() {
	local conf

	LANE=$1
	conf=$(lane_conf "$LANE")
	[[ -f $conf ]] || die "unknown lane '$LANE' (known: $(known_lanes))"
	# Optional settings must not leak from a lane loaded before.
	unset LANE_IMAGE_META LANE_HEADERS_META LANE_KERNEL_SOURCE LANE_KERNEL_CONFIG \
	      LANE_GUEST_TIMEOUT LANE_FEATURES LANE_SUITE LANE_BUILDROOT LANE_IGT LANE_MODULE_BUILD
	unset BOARD_DTS_FRAGMENT BOARD_DTB BOARD_APPEND BOARD_INSMOD_ARGS
	# shellcheck source=/dev/null
	. "$conf"
	load_board "$LANE_BOARD"
	LANE_OUT=$SECBUF_BUILD/$LANE
	# How output names the lane; prepare_lane adds the kernel line it
	# resolved to for a lane with LANE_SUITE (lane_label in lib/lane.sh).
	LANE_LABEL=$LANE
}

load_board() {
	local conf=$SECBUF_SCRIPTS/boards/$1.conf

	[[ -f $conf ]] || die "unknown board '$1' (no $conf)"
	BOARD=$1
	# shellcheck source=/dev/null
	. "$conf"
}

# Print "[lane] message" progress lines.
lane_msg() { msg "[${LANE_LABEL:-$LANE}] $*"; }

# Show the tail of a log file after a failed step.
show_log_tail() {
	local log=$1 n=${2:-40}

	msg "---- last $n lines of $log ----"
	tail -n "$n" "$log" >&2 || true
	msg "----"
}
