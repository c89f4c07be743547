# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Kernel packages from Debian suites other than the host's, for lanes that
# set LANE_SUITE (say "trixie-backports sid"): one private apt
# configuration per suite, in the cache, used to resolve and download those
# packages only. Nothing from these suites is installed on the host, and the
# host's apt configuration is left alone. Needs lib/common.sh.
#
# The mirror is the host's own Debian archive, read from its apt sources
# on every run (host_debian_mirror): no host name is written down here.
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}):
#   apt-<suite>/apt.conf          the configuration (apt-get -c): sources,
#                                 lists, caches and an empty dpkg status in
#                                 this directory; amd64 and arm64
#   apt-<suite>/sources.list      "deb [signed-by=...] <mirror> <suite> main"
#   apt-<suite>/lists/ cache/     apt's
#   apt-<suite>/last-update       lists are refreshed at most once a day
#   apt-<suite>/.lock             held while the lists are refreshed

SUITE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SUITE_ARCHES="amd64 arm64"
# Where host_debian_mirror reads the host's sources and codename (the
# harness self-test points them at made-up ones).
SUITE_HOST_APT=${SUITE_HOST_APT:-/etc/apt}
SUITE_HOST_OS_RELEASE=${SUITE_HOST_OS_RELEASE:-/etc/os-release}

# host_debian_mirror: the URI of the host's Debian archive: the first apt
# source (deb822 *.sources, then one-line *.list) of type deb, enabled,
# with component main and the host's own codename as a suite, which leaves
# out -security, -updates and other archives. SECBUF_DEBIAN_MIRROR
# overrides it.
host_debian_mirror() {
	local codename f uri

	if [[ -n ${SECBUF_DEBIAN_MIRROR:-} ]]; then
		printf '%s\n' "${SECBUF_DEBIAN_MIRROR%/}"
		return
	fi
	# shellcheck source=/dev/null
	codename=$(. "$SUITE_HOST_OS_RELEASE" 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
	[[ -n $codename ]] || die "no VERSION_CODENAME in $SUITE_HOST_OS_RELEASE: set SECBUF_DEBIAN_MIRROR"
	uri=$(
		for f in "$SUITE_HOST_APT"/sources.list.d/*.sources; do
			[[ -f $f ]] || continue
			# Stanzas are separated by empty lines; "#" starts a comment
			# line; a line starting with a blank continues a field.
			awk -v want="$codename" '
				function done_stanza(  n, i, t, s, ok) {
					if (!("uris" in f)) { split("", f); return }
					if (tolower(f["enabled"]) == "no") { split("", f); return }
					ok = 0
					n = split(f["types"], t, /[ \t]+/)
					for (i = 1; i <= n; i++) if (t[i] == "deb") ok = 1
					if (!ok) { split("", f); return }
					ok = 0
					n = split(f["suites"], s, /[ \t]+/)
					for (i = 1; i <= n; i++) if (s[i] == want) ok = 1
					if (!ok || (" " f["components"] " ") !~ /[ \t]main[ \t]/) { split("", f); return }
					split(f["uris"], t, /[ \t]+/)
					for (i = 1; i in t; i++) if (t[i] != "") { print t[i]; exit }
					split("", f)
				}
				/^#/ { next }
				/^[ \t]*$/ { done_stanza(); next }
				/^[ \t]/ { if (key != "") f[key] = f[key] " " $0; next }
				{
					key = tolower(substr($0, 1, index($0, ":") - 1))
					v = substr($0, index($0, ":") + 1)
					gsub(/^[ \t]+|[ \t]+$/, "", v)
					f[key] = v
				}
				END { done_stanza() }' "$f"
		done
		for f in "$SUITE_HOST_APT"/sources.list "$SUITE_HOST_APT"/sources.list.d/*.list; do
			[[ -f $f ]] || continue
			# deb [options] URI SUITE COMPONENT...
			awk -v want="$codename" '
				$1 != "deb" { next }
				{
					line = $0
					sub(/^deb[ \t]+/, "", line)
					if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
					n = split(line, w, /[ \t]+/)
					if (w[2] != want) next
					for (i = 3; i <= n; i++) if (w[i] == "main") { print w[1]; exit }
				}' "$f"
		done
	)
	uri=${uri%%$'\n'*}
	[[ -n $uri ]] ||
		die "no Debian archive for $codename with component main in the host's apt sources (set SECBUF_DEBIAN_MIRROR)"
	printf '%s\n' "${uri%/}"
}

suite_apt_dir() { printf '%s/apt-%s\n' "$(secbuf_cache_dir)" "$1"; }

# suite_apt SUITE CMD [ARG...]: an apt command (apt-get, apt-cache) with
# SUITE's configuration. -c is read after the host's apt.conf.d, so that
# ours wins where both set something (the host's Dir::Cache::pkgcache "",
# for one), while the host's proxy and validity settings still apply.
suite_apt() {
	local dir

	dir=$(suite_apt_dir "$1")
	"$2" -c "$dir/apt.conf" "${@:3}"
}

# suite_apt_write SUITE: the configuration files, written when they differ.
suite_apt_write() {
	local suite=$1 dir mirror arch tmp

	dir=$(suite_apt_dir "$suite")
	mirror=$(host_debian_mirror)
	mkdir -p "$dir"/{lists/partial,cache/archives/partial,parts,preferences.d}
	[[ -e $dir/status ]] || : >"$dir/status"
	tmp=$(mktemp "$dir/.write.XXXXXX")
	printf 'deb [signed-by=%s] %s %s main\n' "$SUITE_KEYRING" "$mirror" "$suite" >"$tmp"
	cmp -s "$tmp" "$dir/sources.list" || { mv "$tmp" "$dir/sources.list"; rm -f "$dir/last-update"; }
	{
		printf '// Written by scripts/lib/suite.sh: Debian %s, for kernel packages only.\n' "$suite"
		printf 'Dir::Etc::sourcelist "%s/sources.list";\n' "$dir"
		printf 'Dir::Etc::sourceparts "%s/parts";\n' "$dir"
		printf 'Dir::Etc::preferences "%s/preferences";\n' "$dir"
		printf 'Dir::Etc::preferencesparts "%s/preferences.d";\n' "$dir"
		printf 'Dir::State::Lists "%s/lists";\n' "$dir"
		printf 'Dir::State::status "%s/status";\n' "$dir"
		printf 'Dir::State::extended_states "%s/extended_states";\n' "$dir"
		printf 'Dir::Cache "%s/cache";\n' "$dir"
		printf 'Dir::Cache::archives "%s/cache/archives";\n' "$dir"
		printf 'Dir::Cache::pkgcache "%s/cache/pkgcache.bin";\n' "$dir"
		printf 'Dir::Cache::srcpkgcache "%s/cache/srcpkgcache.bin";\n' "$dir"
		printf '#clear APT::Architectures;\n'
		printf 'APT::Architectures {'
		for arch in $SUITE_ARCHES; do printf ' "%s";' "$arch"; done
		printf ' };\n'
		printf 'Acquire::Languages "none";\n'
		# The lists live in a root-owned cache: apt's sandbox user
		# could not write there.
		printf 'APT::Sandbox::User "root";\n'
	} >"$tmp"
	if cmp -s "$tmp" "$dir/apt.conf"; then
		rm -f "$tmp"
	else
		mv "$tmp" "$dir/apt.conf"
		rm -f "$dir/last-update"
	fi
}

# suite_apt_update_locked SUITE: refresh SUITE's lists if they are older
# than a day (the archive drops superseded kernel packages) or missing.
suite_apt_update_locked() {
	local suite=$1 dir log

	dir=$(suite_apt_dir "$suite")
	suite_apt_write "$suite"
	[[ -n $(find "$dir/last-update" -mmin -1440 2>/dev/null) ]] && return 0
	msg "apt-get update for $suite (private lists in $dir)"
	log=$(mktemp)
	if suite_apt "$suite" apt-get -q update >"$log" 2>&1 &&
	   ! grep -q '^[WE]:' "$log"; then
		: >"$dir/last-update"
	elif compgen -G "$dir/lists/*_Packages*" >/dev/null; then
		cat "$log" >&2
		warn "apt-get update for $suite failed; going on with its old package lists"
	else
		cat "$log" >&2
		rm -f "$log"
		die "apt-get update for $suite failed (mirror $(host_debian_mirror))"
	fi
	rm -f "$log"
}

# suite_apt_update SUITE: the same, under the suite's lock.
suite_apt_update() {
	with_lock "$(suite_apt_dir "$1")/.lock" suite_apt_update_locked "$1"
}

# suite_has SUITE PKG:ARCH: SUITE has an installable version of the package.
suite_has() {
	local out

	out=$(suite_apt "$1" apt-cache policy "$2" 2>/dev/null || true)
	[[ $(awk '$1 == "Candidate:" { print $2; exit }' <<<"$out") =~ ^[0-9] ]]
}

# suite_for SUITES PKG:ARCH: the first of SUITES (a list) that has the
# package, lists refreshed as needed; fails if none has it.
suite_for() {
	local suites=$1 pkg=$2 suite

	for suite in $suites; do
		suite_apt_update "$suite"
		if suite_has "$suite" "$pkg"; then
			printf '%s\n' "$suite"
			return 0
		fi
	done
	die "none of the suites $suites has $pkg"
}
