# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Build roots: a Debian chroot made with mmdebstrap, for lanes whose kernel
# headers need a newer toolchain than the host's (LANE_BUILDROOT). Debian's
# 7.x headers name their compiler in .kernelvariables (gcc-14 for trixie's
# and its backports', gcc-16 for sid's; the host's gcc-12 rejects
# -fmin-function-alignment), their linux-kbuild tools (modpost, objtool,
# resolve_btfids) need glibc 2.38 or later, and module BTF needs a pahole
# with --btf_features. The lane's kernel modules are built in the root;
# userspace and the tests are still built on the host. Needs lib/common.sh
# and lib/suite.sh (the host's mirror).
#
# LANE_BUILDROOT=suite: a root of the suite the lane's kernel packages came
# from (LANE_SUITE), a -backports suite's base: trixie for trixie-backports,
# sid for sid. LANE_BUILDROOT=<suite>: a root of that suite, whatever the
# packages' suite. Either way it holds BUILDROOT_PACKAGES and the compiler
# the headers name, native and aarch64 (buildroot_for_lane).
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   buildroot/<suite>_<hash>/       one root, <hash> from BUILDROOT_RECIPE,
#                                   the suite and the package list, so a
#                                   change of the list (or of the headers'
#                                   compiler) makes a new root
#     root/                         the chroot
#     packages                      the package list it was made with
#     mmdebstrap.log, .complete
#   buildroot/.<suite>.lock         held while that suite's root is made
#
# Made under the lock in <dir>.tmp, moved into place, then .complete: an
# interrupted creation is thrown away and redone. A root is never updated
# (delete it to get a fresh one); older roots are left alone (a build may be
# using one): delete them at will.

# Bump when the recipe below changes in a way the list does not show.
BUILDROOT_RECIPE=1

# What building an out-of-tree module against Debian's headers takes besides
# the compiler: the arm64 libc headers, pahole for BTF, libelf and libssl
# for the kbuild tools, python3 for the scripts, sparse for make lint.
BUILDROOT_PACKAGES=(
	make libc6-dev libc6-dev-arm64-cross
	dwarves bc bison flex libelf-dev libssl-dev kmod python3 xz-utils
	sparse
)

# buildroot_compiler KDIR: the gcc the headers were built with ("gcc-14"),
# from the CC line of .kernelvariables, else CONFIG_CC_VERSION_TEXT.
buildroot_compiler() {
	local kdir=$1 cc

	cc=$(sed -n 's/^CC *=.*[^a-z0-9]\(gcc-[0-9][0-9]*\)[[:space:]]*$/\1/p' \
		"$kdir/.kernelvariables" 2>/dev/null | head -n 1)
	[[ -n $cc ]] || cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="[^ ]*-\(gcc-[0-9][0-9]*\) .*/\1/p' \
		"$kdir/.config" 2>/dev/null | head -n 1)
	[[ -n $cc ]] || die "$kdir: cannot tell which gcc the kernel was built with"
	printf '%s\n' "$cc"
}

# buildroot_dir SUITE PKG...: the cache directory of SUITE's root with
# those packages.
buildroot_dir() {
	local suite=$1 hash

	shift
	hash=$(printf 'recipe %s\nsuite %s\npackages %s\n' "$BUILDROOT_RECIPE" "$suite" \
		"$*" | sha256sum | cut -c1-12)
	printf '%s/buildroot/%s_%s\n' "$(secbuf_cache_dir)" "$suite" "$hash"
}

# buildroot_create_locked SUITE DIR PKG...: mmdebstrap into DIR.tmp, then
# publish.
buildroot_create_locked() {
	local suite=$1 dir=$2 mirror log start pkgs line hostopts=()

	shift 2
	[[ -e $dir/.complete ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "making the $suite build root needs root (mmdebstrap --mode=root)"
	command -v mmdebstrap >/dev/null || die "no mmdebstrap (run scripts/setup-host)"
	mirror=$(host_debian_mirror)
	pkgs=$(IFS=,; printf '%s' "$*")
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	printf '%s\n' "$@" >"$dir.tmp/packages"
	log=$dir.tmp/mmdebstrap.log
	# mmdebstrap's apt does not read the host's apt.conf.d: pass on how
	# the host reaches its mirror (proxies; whether it checks a Release
	# file's dates, off where the mirror is a snapshot), as the suites'
	# private configurations inherit it (lib/suite.sh).
	while IFS= read -r line; do
		[[ -z $line ]] || hostopts+=(--aptopt="$line")
	done < <(apt-config dump Acquire::Check-Valid-Until Acquire::Check-Date \
		Acquire::http::Proxy Acquire::https::Proxy 2>/dev/null || true)
	msg "making the $suite build root from $mirror (log: $dir/mmdebstrap.log)"
	start=$SECONDS
	# Documentation and translations are of no use to a compiler.
	if ! mmdebstrap --mode=root --variant=apt --architectures=amd64 \
		--include="$pkgs" \
		--aptopt='Acquire::Languages "none"' "${hostopts[@]}" \
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

# buildroot_ensure SUITE PKG...: make sure SUITE's root with those packages
# is in the cache (making it under the suite's lock if not) and print its
# directory.
buildroot_ensure() {
	local suite=$1 dir lock bfd

	dir=$(buildroot_dir "$@")
	if [[ ! -e $dir/.complete ]]; then
		lock=${dir%/*}/.$suite.lock
		mkdir -p "${dir%/*}"
		exec {bfd}>"$lock"
		if ! flock -n "$bfd"; then
			msg "waiting for another run making the $suite build root ($lock)"
			flock "$bfd"
		fi
		buildroot_create_locked "$suite" "$dir" "${@:2}"
		exec {bfd}>&-
	fi
	printf '%s\n' "$dir"
}

# buildroot_for_lane: the lane's root (LANE_BUILDROOT, above), after
# prepare_lane_locked has set SUITE and KDIR; made if need be.
buildroot_for_lane() {
	local suite=$LANE_BUILDROOT cc

	if [[ $suite == suite ]]; then
		[[ -n ${SUITE:-} ]] || die "lane $LANE: LANE_BUILDROOT=suite needs LANE_SUITE"
		suite=${SUITE%-backports}
	fi
	# shellcheck disable=SC2153 # KDIR: set by prepare_lane
	cc=$(buildroot_compiler "$KDIR")
	buildroot_ensure "$suite" "${BUILDROOT_PACKAGES[@]}" "$cc" "$cc-aarch64-linux-gnu"
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
