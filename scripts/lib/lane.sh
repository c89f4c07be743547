# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# prepare_lane: resolve a lane's kernel packages, fetch and unpack them into
# the cache and set KVER, KDIR, VMLINUZ, MODDIR, BUSYBOX, ... for it.
# Needs lib/common.sh and lib/debpkg.sh, and load_lane done.
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   debs/                         the .deb files, as apt-get download names them
#   kernel/<image pkg>_<ver>/     linux-image unpacked, with a modules.dep
#   kernel/<headers pkg>_<ver>+kbuild_<ver>/
#                                 linux-headers-<kver>-<arch>, -common and the
#                                 host's linux-kbuild unpacked into one root
#   busybox/<ver>_<arch>/         busybox-static unpacked
#
# Lanes with LANE_KERNEL_SOURCE build their kernel instead (lib/kernel.sh).
# Lanes with LANE_SUITE take their kernel packages from the first of those
# Debian suites that has the meta package, through a private apt
# configuration (lib/suite.sh), and lanes with LANE_BUILDROOT build their
# modules in a chroot of that suite (lib/buildroot.sh).
#
# The kernel packages' layout, both handled: up to 6.x linux-image-<kver>
# holds /boot/vmlinuz-<kver> and /lib/modules/<kver>; from 7.x it is an
# empty package that depends on linux-binary-<kver>
# (/usr/lib/modules/<kver>/vmlinuz), linux-modules-<kver> and
# linux-base-<kver> (config, System.map), all under /usr/lib/modules.

# shellcheck source=/dev/null
. "$SECBUF_SCRIPTS/lib/kernel.sh"
# shellcheck source=/dev/null
. "$SECBUF_SCRIPTS/lib/suite.sh"
# shellcheck source=/dev/null
. "$SECBUF_SCRIPTS/lib/buildroot.sh"

# resolve_meta META: print "package version" of the versioned package the
# lane's meta package (e.g. linux-image-arm64) depends on right now.
resolve_meta() {
	local meta=$1 prefix=$2 ver deps

	ver=$(apt_candidate "$meta:$LANE_DEB_ARCH")
	deps=$(apt_field "$meta:$LANE_DEB_ARCH=$ver" Depends)
	dep_matching "$deps" "^$prefix" | grep . ||
		die "$meta $ver does not depend on a $prefix* package"
}

# kbuild_version PKG WANT: the host's linux-kbuild must come from the same
# source upload as the headers; fall back to the candidate if that one is
# gone from the archive.
kbuild_version() {
	local pkg=$1 want=$2

	if apt_cache show "$pkg:$HOST_DEB_ARCH=$want" >/dev/null 2>&1; then
		printf '%s\n' "$want"
	else
		warn "$pkg $want not available for $HOST_DEB_ARCH, using the candidate"
		apt_candidate "$pkg:$HOST_DEB_ARCH"
	fi
}

# The headers package's Makefile is one line, "include /usr/src/<common>/Makefile"
# (from 7.x preceded by "KBUILD_OUTPUT=/usr/src/linux-headers-<kver>").
# Point both into the cache instead of touching /usr/src on the host; the
# scripts/ and tools/ links are relative and land in the kbuild package
# unpacked next to it.
fix_headers_tree() {
	local root=$1 final=$2 mk

	mk=$root/usr/src/linux-headers-$KVER/Makefile
	[[ -f $mk ]] || die "no $mk in the headers package"
	sed -i -e "s|^include /usr/src/|include $final/usr/src/|" \
	       -e "s|^KBUILD_OUTPUT *= */usr/src/|KBUILD_OUTPUT=$final/usr/src/|" "$mk"
	if grep -n '/usr/src/' "$mk" | grep -v "$final/usr/src/" >&2; then
		die "$mk: a /usr/src path left that is not rewritten into the cache"
	fi
	[[ -e $root/usr/src/linux-headers-$KVER/scripts/Makefile.build ]] ||
		die "linux-kbuild does not provide scripts/ for $KVER"
}

prepare_headers() {
	local hdr_pkg=$1 hdr_ver=$2 deps common common_arch kbuild kb_ver dir debs=()

	deps=$(apt_field "$hdr_pkg:$LANE_DEB_ARCH=$hdr_ver" Depends)
	read -r common _ < <(dep_matching "$deps" '^linux-headers-.*-common')
	read -r kbuild _ < <(dep_matching "$deps" '^linux-kbuild-')
	[[ -n $common && -n $kbuild ]] ||
		die "$hdr_pkg $hdr_ver: cannot find its -common and linux-kbuild dependencies"
	kb_ver=$(kbuild_version "$kbuild" "$hdr_ver")
	# -common is "all" in Debian, but do not rely on it.
	common_arch=$(apt_field "$common=$hdr_ver" Architecture)
	[[ $common_arch == all ]] || common_arch=$LANE_DEB_ARCH

	dir=$(secbuf_cache_dir)/kernel/${hdr_pkg}_${hdr_ver//:/%3a}+kbuild_${kb_ver//:/%3a}_$HOST_DEB_ARCH
	if [[ ! -e $dir/.complete ]]; then
		debs+=("$(fetch_deb "$hdr_pkg" "$hdr_ver" "$LANE_DEB_ARCH")")
		debs+=("$(fetch_deb "$common" "$hdr_ver" "$common_arch")")
		debs+=("$(fetch_deb "$kbuild" "$kb_ver" "$HOST_DEB_ARCH")")
		unpack_debs "$dir.tmp" "${debs[@]}"
		fix_headers_tree "$dir.tmp" "$dir"
		finish_unpack "$dir"
	fi
	KDIR=$dir/usr/src/linux-headers-$KVER
	HEADERS_VERSION=$hdr_ver
}

# image_packages PKG VER: PKG and the packages of the same kernel release it
# depends on (7.x: linux-binary-<kver>, linux-modules-<kver>,
# linux-base-<kver>; none up to 6.x), as "name version" lines.
image_packages() {
	local pkg=$1 ver=$2 deps

	printf '%s %s\n' "$pkg" "$ver"
	deps=$(apt_field "$pkg:$LANE_DEB_ARCH=$ver" Depends)
	awk -F '[,|]' -v kver="$KVER" -v ver="$ver" '
		{
			for (i = 1; i <= NF; i++) {
				d = $i
				gsub(/^[ \t]+|[ \t]+$/, "", d)
				name = d; sub(/[ \t(:].*/, "", name)
				if (name ~ /^linux-[a-z]+-/ &&
				    substr(name, length(name) - length(kver)) == "-" kver)
					print name, ver
			}
		}' <<<"$deps" | sort -u
}

# Debian does not ship modules.dep (depmod runs at install time): make one,
# so that the initramfs builder can take a module's dependency closure.
# The 7.x packages put the modules under usr/lib/modules: a link lib ->
# usr/lib keeps MODDIR at lib/modules/<kver> for both layouts, and lets
# the host's depmod (which knows /lib/modules only) find them.
prepare_image() {
	local img_pkg=$1 img_ver=$2 dir debs=() p v

	dir=$(secbuf_cache_dir)/kernel/${img_pkg}_${img_ver//:/%3a}
	if [[ ! -e $dir/.complete ]]; then
		while read -r p v; do
			debs+=("$(fetch_deb "$p" "$v" "$LANE_DEB_ARCH")")
		done < <(image_packages "$img_pkg" "$img_ver")
		unpack_debs "$dir.tmp" "${debs[@]}"
		if [[ ! -e $dir.tmp/lib && -d $dir.tmp/usr/lib/modules/$KVER ]]; then
			ln -s usr/lib "$dir.tmp/lib"
		fi
		[[ -d $dir.tmp/lib/modules/$KVER ]] ||
			die "$img_pkg has no lib/modules/$KVER nor usr/lib/modules/$KVER"
		msg "running depmod for $KVER"
		depmod -b "$dir.tmp" "$KVER" || die "depmod failed for $KVER"
		finish_unpack "$dir"
	fi
	VMLINUZ=$dir/boot/vmlinuz-$KVER
	[[ -f $VMLINUZ ]] || VMLINUZ=$dir/lib/modules/$KVER/vmlinuz
	MODDIR=$dir/lib/modules/$KVER
	IMAGE_VERSION=$img_ver
	[[ -f $VMLINUZ ]] || die "no boot/vmlinuz-$KVER nor lib/modules/$KVER/vmlinuz in $dir"
}

prepare_busybox() {
	local ver dir

	ver=$(apt_candidate "busybox-static:$LANE_DEB_ARCH")
	dir=$(secbuf_cache_dir)/busybox/${ver//:/%3a}_$LANE_DEB_ARCH
	if [[ ! -e $dir/.complete ]]; then
		unpack_debs "$dir.tmp" "$(fetch_deb busybox-static "$ver" "$LANE_DEB_ARCH")"
		finish_unpack "$dir"
	fi
	BUSYBOX=$dir/bin/busybox
	[[ -x $BUSYBOX ]] || die "no $BUSYBOX"
}

# A kernel built from source (lib/kernel.sh): build_kernel has run already,
# outside the cache lock.
prepare_built_kernel() {
	local dir

	dir=$(kernel_build_dir)
	[[ -e $dir/.complete ]] || die "lane $LANE: the kernel in $dir is not built"
	KVER=$(cat "$dir/kernelrelease")
	VMLINUZ=$dir/bzImage
	KDIR=$dir/build
	MODDIR=$dir/staging/lib/modules/$KVER
	IMAGE_VERSION=${dir##*/}
	IMAGE_VERSION=${IMAGE_VERSION#"${LANE}_"}
	HEADERS_VERSION=$IMAGE_VERSION
	[[ -f $VMLINUZ && -f $MODDIR/modules.dep ]] || die "lane $LANE: $dir is incomplete"
}

prepare_lane_locked() {
	local img_pkg img_ver hdr_pkg hdr_ver

	HOST_DEB_ARCH=$(dpkg --print-architecture)
	SUITE=
	if [[ -n ${LANE_KERNEL_SOURCE:-} ]]; then
		prepare_built_kernel
		prepare_busybox
		return
	fi
	# apt_cache and fetch_deb use the suite's configuration while APT_SUITE
	# is set: the kernel packages only (busybox is the host's).
	if [[ -n ${LANE_SUITE:-} ]]; then
		SUITE=$(suite_for "$LANE_SUITE" "$LANE_IMAGE_META:$LANE_DEB_ARCH")
		APT_SUITE=$SUITE
	fi
	read -r img_pkg img_ver < <(resolve_meta "$LANE_IMAGE_META" linux-image-)
	read -r hdr_pkg hdr_ver < <(resolve_meta "$LANE_HEADERS_META" linux-headers-)
	KVER=${img_pkg#linux-image-}
	[[ ${hdr_pkg#linux-headers-} == "$KVER" ]] ||
		die "lane $LANE: $LANE_IMAGE_META gives $img_pkg but $LANE_HEADERS_META gives $hdr_pkg"

	prepare_image "$img_pkg" "$img_ver"
	prepare_headers "$hdr_pkg" "$hdr_ver"
	APT_SUITE=
	prepare_busybox
}

# lane_label: how output names the lane: LANE, and for a lane that follows
# a suite's newest kernel (LANE_SUITE) the line it resolved to as well,
# e.g. "arm64-7.x:7.3" for 7.3.4+deb13-arm64.
lane_label() {
	local line

	if [[ -n ${LANE_SUITE:-} && $KVER =~ ^([0-9]+\.[0-9]+) ]]; then
		line=${BASH_REMATCH[1]}
		printf '%s:%s\n' "$LANE" "$line"
	else
		printf '%s\n' "$LANE"
	fi
}

# prepare_lane: load_lane must have been called.
prepare_lane() {
	local vars

	# A kernel build takes many minutes: under its own lock, not the cache's.
	if [[ -n ${LANE_KERNEL_SOURCE:-} ]]; then
		build_kernel >/dev/null || die "lane $LANE: no kernel"
	fi
	# Run under the cache lock, then bring the results back out of the subshell.
	vars=$(with_cache_lock bash -c '
		set -euo pipefail
		. "$1/lib/common.sh"; . "$1/lib/debpkg.sh"; . "$1/lib/lane.sh"
		load_lane "$2"
		prepare_lane_locked
		for v in KVER KDIR VMLINUZ MODDIR BUSYBOX IMAGE_VERSION HEADERS_VERSION SUITE; do
			printf "%s=%q\n" "$v" "${!v}"
		done
	' prepare-lane "$SECBUF_SCRIPTS" "$LANE") || die "lane $LANE: preparing the kernel packages failed"
	eval "$vars"
	LANE_LABEL=$(lane_label)
	# Making a build root takes a while the first time: not under the
	# cache lock either. It depends on the suite and the headers' compiler.
	BUILDROOT=
	if [[ -n ${LANE_BUILDROOT:-} ]]; then
		BUILDROOT=$(buildroot_for_lane) || die "lane $LANE: no build root"
	fi
}

# lane_run CMD [ARG...]: run a kernel module build command where the lane
# builds its modules: in its build root if it has one, else on the host.
lane_run() {
	if [[ -n ${BUILDROOT:-} ]]; then
		buildroot_run "$BUILDROOT" "$@"
	else
		"$@"
	fi
}

# lane_vars: the lane's variables as shell assignments, for eval.
lane_vars() {
	local v

	for v in LANE KVER KDIR VMLINUZ MODDIR BUSYBOX IMAGE_VERSION HEADERS_VERSION \
		 LANE_OUT BOARD SUITE BUILDROOT LANE_LABEL; do
		printf '%s=%q\n' "$v" "${!v}"
	done
	printf 'ARCH=%q\n' "$LANE_KARCH"
	printf 'CROSS_COMPILE=%q\n' "$LANE_CROSS_COMPILE"
}
