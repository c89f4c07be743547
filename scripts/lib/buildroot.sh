# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Build roots: a Debian chroot made with mmdebstrap, for lanes whose kernel
# headers need a newer toolchain than the host's (LANE_BUILDROOT=<suite>,
# e.g. trixie). Debian's 7.x headers name gcc-14 in .kernelvariables (the
# host's gcc-12 rejects -fmin-function-alignment), their linux-kbuild tools
# (modpost, objtool, resolve_btfids) need glibc 2.38, and module BTF needs a
# pahole with --btf_features. The lane's kernel modules are built in the
# root; userspace and the tests are still built on the host. Needs
# lib/common.sh and lib/suite.sh (the host's mirror).
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   buildroot/<suite>_<hash>/       one root, <hash> from BUILDROOT_RECIPE,
#                                   the suite and BUILDROOT_PACKAGES, so a
#                                   change of the list makes a new root
#     root/                         the chroot
#     packages                      the package list it was made with
#     mmdebstrap.log, .complete
#   buildroot/.<suite>.lock         held while that suite's root is made
#
# Made under the lock in <dir>.tmp, moved into place, then .complete: an
# interrupted creation is thrown away and redone. Older roots of a suite are
# left alone (a build may be using one); delete them at will.

# Bump when the recipe below changes in a way the list does not show.
BUILDROOT_RECIPE=1

# What building an out-of-tree module against Debian's headers takes, for
# both lanes' architectures: the compilers .kernelvariables names
# ($(CROSS_COMPILE)gcc-14, with CROSS_COMPILE x86_64-linux-gnu- or
# aarch64-linux-gnu-), pahole for BTF, libelf and libssl for the kbuild
# tools, python3 for the scripts, sparse for make lint.
BUILDROOT_PACKAGES=(
	make gcc-14 libc6-dev
	gcc-14-aarch64-linux-gnu libc6-dev-arm64-cross
	dwarves bc bison flex libelf-dev libssl-dev kmod python3 xz-utils
	sparse
)

# buildroot_dir SUITE: the cache directory of SUITE's root for the
# package list as it is now.
buildroot_dir() {
	local suite=$1 hash

	hash=$(printf 'recipe %s\nsuite %s\npackages %s\n' "$BUILDROOT_RECIPE" "$suite" \
		"${BUILDROOT_PACKAGES[*]}" | sha256sum | cut -c1-12)
	printf '%s/buildroot/%s_%s\n' "$(secbuf_cache_dir)" "$suite" "$hash"
}

# buildroot_create_locked SUITE DIR: mmdebstrap into DIR.tmp, then publish.
buildroot_create_locked() {
	local suite=$1 dir=$2 mirror log start pkgs

	[[ -e $dir/.complete ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "making the $suite build root needs root (mmdebstrap --mode=root)"
	command -v mmdebstrap >/dev/null || die "no mmdebstrap (run scripts/setup-host)"
	mirror=$(host_debian_mirror)
	pkgs=$(IFS=,; printf '%s' "${BUILDROOT_PACKAGES[*]}")
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	printf '%s\n' "${BUILDROOT_PACKAGES[@]}" >"$dir.tmp/packages"
	log=$dir.tmp/mmdebstrap.log
	msg "making the $suite build root from $mirror (log: $dir/mmdebstrap.log)"
	start=$SECONDS
	# Documentation and translations are of no use to a compiler.
	if ! mmdebstrap --mode=root --variant=apt --architectures=amd64 \
		--include="$pkgs" \
		--aptopt='Acquire::Languages "none"' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		"$suite" "$dir.tmp/root" \
		"deb [signed-by=$SUITE_KEYRING] $mirror $suite main" >"$log" 2>&1; then
		show_log_tail "$log" 30
		die "mmdebstrap of the $suite build root failed (log: $log)"
	fi
	mv "$dir.tmp" "$dir"
	: >"$dir/.complete"
	msg "the $suite build root made in $((SECONDS - start))s: $dir ($(du -sh "$dir/root" | cut -f1))"
}

# buildroot_ensure SUITE: make sure SUITE's root is in the cache (making it
# under the suite's lock if not) and print its directory.
buildroot_ensure() {
	local suite=$1 dir lock bfd

	dir=$(buildroot_dir "$suite")
	if [[ ! -e $dir/.complete ]]; then
		lock=${dir%/*}/.$suite.lock
		mkdir -p "${dir%/*}"
		exec {bfd}>"$lock"
		if ! flock -n "$bfd"; then
			msg "waiting for another run making the $suite build root ($lock)"
			flock "$bfd"
		fi
		buildroot_create_locked "$suite" "$dir"
		exec {bfd}>&-
	fi
	printf '%s\n' "$dir"
}

# buildroot_run DIR CMD [ARG...]: run CMD as root in the build root DIR,
# in a mount namespace of its own (nothing leaks into the host's), with
# the repository and the cache bind-mounted at the same absolute paths so
# that KDIR, M= and the sources mean the same inside, plus /proc and /dev.
# The environment is reset but for the build's own variables.
buildroot_run() {
	local dir=$1 root cache

	shift
	root=$dir/root
	[[ -e $dir/.complete && -d $root ]] || die "no build root in $dir"
	cache=$(secbuf_cache_dir)
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/bash -euc '
		root=$1 top=$2 cache=$3 build=$4
		shift 4
		for d in "$cache" "$top" "$build"; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		for d in /proc /dev; do
			mount --rbind "$d" "$root$d"
		done
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
	' buildroot-run "$root" "$SECBUF_TOP" "$cache" "$SECBUF_BUILD" "$@"
}
