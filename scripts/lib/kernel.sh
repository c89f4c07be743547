# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Kernels built from source, for lanes that set LANE_KERNEL_SOURCE (a Debian
# linux-source-X.Y package) and LANE_KERNEL_CONFIG (one or more fragments in
# scripts/kernel/, merged in that order: a later one overrides an earlier
# one's options). Built once per machine into the cache and reused by every
# run. With LANE_SUITE, LANE_KERNEL_SOURCE is that suite's linux-source meta
# package, downloaded rather than installed. Needs lib/common.sh,
# lib/debpkg.sh, lib/suite.sh and load_lane done.
#
# Recipe: "make tinyconfig", scripts/kconfig/merge_config.sh with the
# fragments, olddefconfig, then a check that every option the fragments set
# (=y, =m, ="..." and "is not set"; the last fragment to set one wins) has
# that value in the final .config. A fragment line that a missing dependency
# silently drops fails the build.
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   kernel/<source pkg>_<ver>/src/     the source tree, unpacked once
#                                      (linux-source-X.Y_<ver>)
#   kernel/<lane>_<ver>_<hash>/        one built kernel, <hash> from the
#                                      fragment and KERNEL_RECIPE:
#     build/                           the O= tree: KDIR for M= builds
#     bzImage                          the boot image (arch/*/boot/...)
#     staging/lib/modules/<kver>/      make modules_install (with modules.dep)
#     kernelrelease, build.log, .complete
#   kernel/.<lane>.lock                held while that lane's kernel builds

# Bump when the recipe below changes in a way the fragment does not show,
# so that every machine rebuilds.
KERNEL_RECIPE=1

# kernel_source_version PKG: the installed version of PKG (setup-host
# installs it).
kernel_source_version() {
	local ver

	ver=$(dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null || true)
	[[ $ver == "installed "* ]] || die "$1 is not installed (run scripts/setup-host)"
	printf '%s\n' "${ver#installed }"
}

# kernel_source_resolve: KSRC_PKG and KSRC_VER, the source package this
# lane builds and its version, resolved on every run, never written down.
# Without LANE_SUITE, LANE_KERNEL_SOURCE is a package setup-host installs
# (linux-source-6.12) and the version is the installed one. With
# LANE_SUITE, it is the meta package of a suite (linux-source), resolved
# through the suite's private apt configuration (lib/suite.sh) to the
# linux-source-X.Y it depends on now: the suite's newest line.
kernel_source_resolve() {
	local ver deps suite

	KSRC_SUITE=
	if [[ -z ${LANE_SUITE:-} ]]; then
		KSRC_PKG=$LANE_KERNEL_SOURCE
		KSRC_VER=$(kernel_source_version "$KSRC_PKG")
		return
	fi
	suite=$(suite_for "$LANE_SUITE" "$LANE_KERNEL_SOURCE:all")
	ver=$(APT_SUITE=$suite apt_candidate "$LANE_KERNEL_SOURCE:all")
	deps=$(APT_SUITE=$suite apt_field "$LANE_KERNEL_SOURCE:all=$ver" Depends)
	read -r KSRC_PKG KSRC_VER < <(dep_matching "$deps" '^linux-source-[0-9]')
	[[ -n ${KSRC_PKG:-} && -n ${KSRC_VER:-} ]] ||
		die "$LANE_KERNEL_SOURCE $ver in $suite depends on no linux-source-X.Y (=version)"
	KSRC_SUITE=$suite
}

# kernel_build_dir: the cache directory of this lane's kernel, for the
# installed source version and the fragment as it is now.
kernel_build_dir() {
	local hash

	kernel_source_resolve
	kernel_fragments_load
	hash=$( { printf 'recipe %s\n' "$KERNEL_RECIPE"; cat "${KERNEL_FRAGMENTS[@]}"; } |
		sha256sum | cut -c1-12)
	printf '%s/kernel/%s_%s_%s\n' "$(secbuf_cache_dir)" "$LANE" "${KSRC_VER//:/%3a}" "$hash"
}

# kernel_fragments_load: KERNEL_FRAGMENTS, the paths of the lane's
# fragments in merge order. (With one fragment the hash above is what it
# was before lanes could have several, so no kernel is rebuilt for it.)
kernel_fragments_load() {
	local name f

	KERNEL_FRAGMENTS=()
	for name in $LANE_KERNEL_CONFIG; do
		f=$SECBUF_SCRIPTS/kernel/$name
		[[ -f $f ]] || die "lane $LANE: no config fragment $f"
		KERNEL_FRAGMENTS+=("$f")
	done
	[[ ${#KERNEL_FRAGMENTS[@]} -gt 0 ]] || die "lane $LANE: LANE_KERNEL_CONFIG is empty"
}

# unpack_kernel_source PKG VER [SUITE]: the source tree of PKG VER,
# unpacked once (under the cache lock) and shared by every fragment: the
# installed package's tarball, or with SUITE the package downloaded from
# that suite into the cache (never installed).
unpack_kernel_source() {
	local pkg=$1 ver=$2 suite=${3:-} dir tarball deb

	dir=$(secbuf_cache_dir)/kernel/${pkg}_${ver//:/%3a}
	if [[ ! -e $dir/.complete ]]; then
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp/src"
		if [[ -n $suite ]]; then
			deb=$(APT_SUITE=$suite fetch_deb "$pkg" "$ver" all)
			dpkg-deb -x "$deb" "$dir.tmp/deb" || die "cannot unpack $deb"
			tarball=$(find "$dir.tmp/deb/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n1)
		else
			tarball=$(dpkg -L "$pkg" | grep -E '/usr/src/linux-source-[^/]*\.tar\.(xz|bz2|gz)$' | head -n1)
		fi
		[[ -f $tarball ]] || die "$pkg $ver: no source tarball in usr/src"
		msg "unpacking $tarball"
		tar -xf "$tarball" -C "$dir.tmp/src" --strip-components=1 ||
			die "cannot unpack $tarball"
		rm -rf "$dir.tmp/deb"
		finish_unpack "$dir"
	fi
	printf '%s\n' "$dir/src"
}

# kconfig_check CONFIG FRAGMENT...: print every option the fragments set
# (the last one to set it wins) whose value in CONFIG differs; fail if any.
kconfig_check() {
	local config=$1

	shift
	awk '
		FNR == NR {
			if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
				opt = substr($0, 1, RLENGTH - 1)
				have[opt] = substr($0, RLENGTH + 1)
			}
			next
		}
		/^CONFIG_[A-Za-z0-9_]+=/ {
			opt = $0; sub(/=.*/, "", opt); v = $0; sub(/^[^=]*=/, "", v)
			want[opt] = v
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { want[$2] = "n" }
		END {
			for (opt in want) {
				got = (opt in have) ? have[opt] : "n"
				if (got != want[opt]) {
					printf "%s: the fragments say %s, olddefconfig gave %s\n", opt, want[opt], got
					bad = 1
				}
			}
			exit bad
		}' "$config" "$@"
}

# Runs in the build directory's parent, output to build.log.
# kernel_build_steps SRC OUT FRAGMENT...
kernel_build_steps() {
	local src=$1 out=$2 jobs

	shift 2
	jobs=$(nproc)
	set -x
	make -C "$src" O="$out/build" ARCH="$LANE_KARCH" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" \
		"$out/build/.config" "$@"
	make -C "$src" O="$out/build" ARCH="$LANE_KARCH" olddefconfig
	{ set +x; } 2>/dev/null
	if ! kconfig_check "$out/build/.config" "$@"; then
		echo "olddefconfig dropped or changed options of $* (see above)"
		return 1
	fi
	set -x
	make -C "$src" O="$out/build" ARCH="$LANE_KARCH" -j"$jobs" all
	make -C "$src" O="$out/build" ARCH="$LANE_KARCH" \
		INSTALL_MOD_PATH="$out/staging" modules_install
	{ set +x; } 2>/dev/null
	make -s -C "$src" O="$out/build" ARCH="$LANE_KARCH" kernelrelease >"$out/kernelrelease"
	cp "$out/build/$(make -s -C "$src" O="$out/build" ARCH="$LANE_KARCH" image_name)" \
		"$out/bzImage"
}

# build_kernel_locked DIR: build into DIR, which counts once DIR/.complete
# exists. The O= tree records absolute paths, so it is built where it stays;
# a build that was interrupted is thrown away and redone.
build_kernel_locked() {
	local dir=$1 src ver start log

	[[ -e $dir/.complete ]] && return 0
	kernel_source_resolve
	ver=$KSRC_VER
	src=$(with_cache_lock unpack_kernel_source "$KSRC_PKG" "$KSRC_VER" "${KSRC_SUITE:-}")
	[[ -f $src/Makefile ]] || die "lane $LANE: no kernel source tree"
	rm -rf "$dir"
	mkdir -p "$dir"
	log=$dir/build.log
	lane_msg "building the kernel: $KSRC_PKG $ver + scripts/kernel/{${LANE_KERNEL_CONFIG// /,}}, $(nproc) jobs (log: $log)"
	start=$SECONDS
	kernel_fragments_load
	if ! (kernel_build_steps "$src" "$dir" "${KERNEL_FRAGMENTS[@]}") >"$log" 2>&1; then
		show_log_tail "$log" 40
		die "lane $LANE: the kernel build failed (log: $log)"
	fi
	lane_msg "kernel $(cat "$dir/kernelrelease") built in $((SECONDS - start))s"
	: >"$dir/.complete"
}

# build_kernel: make sure this lane's kernel is in the cache (building it
# under the lane's kernel lock if not) and print its directory. Two runs
# that need it at once: one builds, the other waits.
build_kernel() {
	local dir lock kfd

	dir=$(kernel_build_dir)
	if [[ ! -e $dir/.complete ]]; then
		lock=$(secbuf_cache_dir)/kernel/.$LANE.lock
		mkdir -p "${lock%/*}"
		exec {kfd}>"$lock"
		if ! flock -n "$kfd"; then
			lane_msg "waiting for another build of this lane's kernel ($lock)"
			flock "$kfd"
		fi
		build_kernel_locked "$dir"
		exec {kfd}>&-
	fi
	printf '%s\n' "$dir"
}
