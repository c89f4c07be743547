# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# sparse for make lint on kernels whose Makefile validates the checker
# before C=1 (7.x: "$(srctree)/scripts/checker-valid.sh $(CHECK)", which
# feeds it a __typeof_unqual__ and turns C=1 off, with a warning, unless it
# parses). Two things stop that on Debian's 7.x packages:
#
#   - linux-kbuild-7.x lacks scripts/checker-valid.sh: lint_checker copies
#     it, from the linux-source-X.Y of the lane's kernel (same suite, same
#     version as the headers), into the lane's unpacked kbuild tree in the
#     cache. It is the file the kernel itself ships there, and the
#     Makefile runs it only for C=1, so the module builds of make check
#     see no difference.
#   - trixie's sparse (0.6.4, in the 7.x build roots) and the host's do not
#     parse __typeof_unqual__. When checker-valid.sh rejects the sparse the
#     lane builds with, lint_checker names a newer one for CHECK=: sparse
#     from SPARSE_SUITE (sid), unpacked in the cache with that suite's
#     libc6 and run through its dynamic loader, so the one binary works in
#     a build root and on an older host alike. Nothing is installed; its
#     package's other dependencies (gcc, libxml2, libsqlite3, perl) are
#     for cgcc, c2xml and semind.
#
# Kernels whose Makefile has no checker-valid.sh (6.x) are left as they
# were: the lane's own sparse, no CHECK=. Needs lib/common.sh,
# lib/debpkg.sh, lib/suite.sh and lib/lane.sh (lane_run).
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   lint/checker-valid/linux-source-X.Y_<ver>/checker-valid.sh
#                                 taken out of the source package once
#   lint/sparse/<suite>_<sparse ver>+libc6_<libc6 ver>_<arch>/
#     usr/bin/sparse, usr/lib/<multiarch>/   the two packages unpacked
#     sparse                      the wrapper CHECK= names
#     .complete
#   kernel/<headers>+kbuild_<ver>/usr/lib/linux-kbuild-X.Y.../scripts/
#     checker-valid.sh            added by lint_checker (lib/lane.sh's tree)

# The suite whose sparse lint uses where the lane's is too old.
SPARSE_SUITE=sid

# kernel_srctree KDIR: the source tree the kernel's Makefile runs in for
# KDIR: the file KDIR/Makefile includes (Debian's headers, an O= build
# directory), else KDIR itself.
kernel_srctree() {
	local kdir=$1 inc

	inc=$(sed -n 's|^include \(/.*\)/Makefile[[:space:]]*$|\1|p' "$kdir/Makefile" 2>/dev/null |
		tail -n 1)
	printf '%s\n' "${inc:-$kdir}"
}

# checker_valid_install DEST KVER SUITE VER: put scripts/checker-valid.sh of
# linux-source-X.Y (X.Y from KVER) at DEST: version VER from SUITE (the
# host's apt if empty), else that suite's candidate. Under the cache lock.
checker_valid_install() {
	local dest=$1 kver=$2 suite=$3 want=$4 pkg ver dir deb tmp
	# shellcheck disable=SC2034 # read by apt_cache and apt_get
	local APT_SUITE=$suite

	[[ -e $dest ]] && return 0
	[[ $kver =~ ^([0-9]+\.[0-9]+) ]] || die "cannot tell the kernel line of $kver"
	pkg=linux-source-${BASH_REMATCH[1]}
	[[ -z $suite ]] || suite_apt_update "$suite" || return 1
	if [[ -n $want ]] && apt_cache show "$pkg=$want" >/dev/null 2>&1; then
		ver=$want
	else
		ver=$(apt_candidate "$pkg") || return 1
		warn "$pkg ${want:-?} is not available (suite: ${suite:-host}): checker-valid.sh from $ver"
	fi
	dir=$(secbuf_cache_dir)/lint/checker-valid/${pkg}_${ver//:/%3a}
	if [[ ! -s $dir/checker-valid.sh ]]; then
		deb=$(fetch_deb "$pkg" "$ver" all) || return 1
		msg "lint: taking scripts/checker-valid.sh out of $pkg $ver"
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		# The package holds usr/src/linux-source-X.Y.tar.xz: stream it
		# and keep the one file.
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards '*/linux-source-*.tar.xz' |
			tar -xJO --wildcards --no-wildcards-match-slash \
				'*/scripts/checker-valid.sh' >"$dir.tmp/checker-valid.sh" ||
			die "no scripts/checker-valid.sh in $deb"
		[[ -s $dir.tmp/checker-valid.sh ]] || die "no scripts/checker-valid.sh in $deb"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir" || die "cannot publish $dir"
	fi
	# Published whole: a concurrent C=1 build sees it or not, never half.
	tmp=$(mktemp "$dest.XXXXXX") || die "cannot write next to $dest"
	install -m 0755 "$dir/checker-valid.sh" "$tmp" || die "cannot write $tmp"
	mv "$tmp" "$dest" || die "cannot install $dest"
	msg "lint: installed checker-valid.sh of $pkg $ver as $dest"
}

# sh_quote STR: STR in single quotes, for a /bin/sh script.
sh_quote() {
	local q="'\\''"

	printf "'%s'" "${1//\'/$q}"
}

# sparse_kit: SPARSE_SUITE's sparse and libc6 for the host's architecture,
# unpacked once, versions resolved on every run; prints the wrapper's path.
# Under the cache lock.
sparse_kit() {
	local suite=$SPARSE_SUITE arch sver lver dir libc libdir ld
	# shellcheck disable=SC2034 # read by apt_cache and apt_get
	local APT_SUITE=$suite

	arch=$(dpkg --print-architecture)
	suite_apt_update "$suite" || return 1
	sver=$(apt_candidate "sparse:$arch") || return 1
	lver=$(apt_candidate "libc6:$arch") || return 1
	dir=$(secbuf_cache_dir)/lint/sparse/${suite}_${sver//:/%3a}+libc6_${lver//:/%3a}_$arch
	if [[ ! -e $dir/.complete ]]; then
		msg "lint: unpacking sparse $sver and libc6 $lver from $suite"
		unpack_debs "$dir.tmp" "$(fetch_deb sparse "$sver" "$arch")" \
			"$(fetch_deb libc6 "$lver" "$arch")"
		libc=$(find "$dir.tmp/usr/lib" -mindepth 2 -maxdepth 2 -name libc.so.6 | head -n 1)
		[[ -n $libc ]] || die "no usr/lib/*/libc.so.6 in libc6 $lver"
		libdir=${libc%/*}
		ld=$(find "$libdir" -maxdepth 1 -name 'ld-linux*.so.*' | head -n 1)
		[[ -n $ld && -x $dir.tmp/usr/bin/sparse ]] ||
			die "sparse $sver or libc6 $lver ($suite) is not laid out as expected"
		# The paths the directory will have once published.
		libdir=$dir${libdir#"$dir.tmp"}
		ld=$dir${ld#"$dir.tmp"}
		{
			printf '#!/bin/sh\n# sparse %s with libc6 %s, both from %s (lib/sparse.sh).\n' \
				"$sver" "$lver" "$suite"
			printf 'exec %s --library-path %s %s "$@"\n' "$(sh_quote "$ld")" \
				"$(sh_quote "$libdir")" "$(sh_quote "$dir/usr/bin/sparse")"
		} >"$dir.tmp/sparse"
		chmod 0755 "$dir.tmp/sparse" || die "cannot write $dir.tmp/sparse"
		finish_unpack "$dir"
	fi
	printf '%s\n' "$dir/sparse"
}

# checker_ok CHECKER CHECKER_VALID: the kernel's test, where the lane builds
# (lane_run): prints nothing, succeeds if it accepts CHECKER.
checker_ok() {
	[[ $(lane_run "$2" "$1" 2>/dev/null) == 1 ]]
}

# lint_checker: after lane-env's variables (KDIR, KVER, SUITE,
# HEADERS_VERSION, BUILDROOT): print the CHECK= value the lane's C=1 build
# needs, nothing where its own sparse does (or the kernel validates none).
# Should the file or sparse be out of reach (no network, say), it warns
# and prints nothing: the kernel then turns C=1 off and lint says so.
# shellcheck disable=SC2153 # KDIR, KVER: lane-env's
lint_checker() {
	local srctree cv kit

	srctree=$(kernel_srctree "$KDIR")
	grep -q 'scripts/checker-valid\.sh' "$srctree/Makefile" 2>/dev/null || return 0
	cv=$srctree/scripts/checker-valid.sh
	if [[ ! -e $cv ]] &&
	   ! with_cache_lock checker_valid_install "$cv" "$KVER" "${SUITE:-}" \
		"${HEADERS_VERSION:-}" >&2; then
		warn "$KVER: no scripts/checker-valid.sh for its kbuild"
		return 0
	fi
	checker_ok sparse "$cv" && return 0
	if ! kit=$(with_cache_lock sparse_kit); then
		warn "$KVER: its Makefile rejects the lane's sparse, and $SPARSE_SUITE's is out of reach"
		return 0
	fi
	checker_ok "$kit" "$cv" ||
		warn "$kit: the kernel's checker-valid.sh rejects it too"
	printf '%s\n' "$kit"
}
