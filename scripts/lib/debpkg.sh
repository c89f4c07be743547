# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Resolve Debian packages with apt-cache, download them with apt-get download
# into the cache and unpack them with dpkg-deb -x. Nothing is installed.
# Needs lib/common.sh.

# apt_field PKG[:ARCH]=VER FIELD: one field of that version's stanza.
apt_field() {
	local spec=$1 field=$2 out

	out=$(apt_cache show "$spec" 2>/dev/null) ||
		die "apt-cache knows no package '$spec' (run scripts/setup-host, or apt-get update)"
	awk -v f="$field" '
		index($0, f ": ") == 1 { sub("^" f ": ", ""); print; exit }
	' <<<"$out"
}

# apt_candidate PKG[:ARCH]: the version apt-get would install.
apt_candidate() {
	local out ver

	out=$(apt_cache policy "$1" 2>/dev/null || true)
	ver=$(awk '$1 == "Candidate:" { print $2; exit }' <<<"$out")
	[[ -n $ver && $ver != "(none)" ]] ||
		die "no installable version of '$1' (arm64 architecture enabled? apt-get update done? see scripts/setup-host)"
	printf '%s\n' "$ver"
}

# dep_matching DEPENDS REGEX: the first dependency whose package name matches
# REGEX, printed as "name version" (version empty when unversioned).
dep_matching() {
	local depends=$1 re=$2

	tr ',|' '\n\n' <<<"$depends" | awk -v re="$re" '
		{
			gsub(/^[ \t]+|[ \t]+$/, "")
			name = $1; sub(/:.*/, "", name)
			if (name !~ re) next
			ver = ""
			if (match($0, /\(= [^)]*\)/)) ver = substr($0, RSTART + 3, RLENGTH - 4)
			print name, ver
			exit
		}'
}

# apt_get: apt-get, with the private configuration of APT_SUITE if set
# (like apt_cache in lib/common.sh).
apt_get() {
	if [[ -n ${APT_SUITE:-} ]]; then
		suite_apt "$APT_SUITE" apt-get "$@"
	else
		apt-get "$@"
	fi
}

# deb_file_name PKG VER ARCH: the name apt-get download gives the file.
deb_file_name() {
	printf '%s_%s_%s.deb\n' "$1" "${2//:/%3a}" "$3"
}

# fetch_deb PKG VER ARCH: download into $CACHE/debs (once) and print the path.
fetch_deb() {
	local pkg=$1 ver=$2 arch=$3 debs file log

	debs=$(secbuf_cache_dir)/debs
	mkdir -p "$debs"
	file=$debs/$(deb_file_name "$pkg" "$ver" "$arch")
	if [[ ! -s $file ]]; then
		msg "fetching $pkg $ver ($arch)"
		log=$(mktemp)
		# apt-get download writes to the current directory. Its sandbox user
		# cannot write to a root-owned cache, so do not drop privileges.
		if ! (cd "$debs" && apt_get download -q -o APT::Sandbox::User=root \
				"$pkg:$arch=$ver") >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			die "apt-get download $pkg:$arch=$ver failed"
		fi
		rm -f "$log"
		[[ -s $file ]] || die "apt-get download did not produce $file"
	fi
	printf '%s\n' "$file"
}

# unpack_debs TMPDIR DEB...: extract the packages into a fresh TMPDIR.
unpack_debs() {
	local dir=$1 deb
	shift

	rm -rf "$dir"
	mkdir -p "$dir"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb"
	done
}

# finish_unpack DIR: publish DIR.tmp as DIR. Users test DIR/.complete, so an
# interrupted extraction is redone next time rather than half used.
finish_unpack() {
	local dir=$1

	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	: >"$dir/.complete"
}
