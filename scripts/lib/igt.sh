# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Real igt-gpu-tools from IGT_SRC (a source tree or a tarball of one): a
# scratch copy in the cache with secbuf's tests in tests/secbuf/, built
# with IGT's own meson, like a test that moved into IGT. Sourced by
# scripts/igt-tree; needs lib/common.sh.
#
# Cache layout (${SECBUF_CACHE:-/var/cache/secbuf}/igt/):
#   <key>/src/          IGT's source, plus tests/secbuf/ and the
#                       "subdir('secbuf')" line in tests/meson.build
#   <key>/build/        its meson build: lib/libigt.so.0, runner/igt_runner,
#                       runner/igt_results, tests/secbuf/secbuf_*
#   <key>/.complete     libigt and the runner built once
#   .<key>.lock         held while anything in <key>/ is made or changed
# <key> hashes IGT_SRC's content (the tarball, or the tree's git commit and
# changes, else its files' names, sizes and times) and IGT_MESON_OPTS.

# Only what libigt, igt_runner and the tests need: no docs, no tools.
IGT_MESON_OPTS=(
	-Dbuildtype=debugoptimized -Dversion_hash=secbuf
	-Doverlay=disabled -Dchamelium=disabled -Dvalgrind=disabled
	-Dman=disabled -Dtestplan=disabled -Dsphinx=disabled -Ddocs=disabled
	-Dtests=enabled -Drunner=enabled -Dlibdrm_drivers= -Dlibunwind=disabled
	-Doping=disabled
)

# igt_src_check: IGT_SRC is set and is an IGT tree or a tarball.
igt_src_check() {
	[[ -n ${IGT_SRC:-} ]] || die "IGT_SRC is not set (an igt-gpu-tools tree or tarball)"
	IGT_SRC=$(realpath -e -- "$IGT_SRC" 2>/dev/null) || die "IGT_SRC: no such file or directory"
	if [[ -d $IGT_SRC ]]; then
		[[ -f $IGT_SRC/lib/igt_core.h && -f $IGT_SRC/meson.build ]] ||
			die "IGT_SRC=$IGT_SRC is not an igt-gpu-tools tree (no lib/igt_core.h)"
	else
		tar -tf "$IGT_SRC" 2>/dev/null | grep '^[^/]*/lib/igt_core\.h$' >/dev/null ||
			die "IGT_SRC=$IGT_SRC is not a tarball of an igt-gpu-tools tree"
	fi
}

# igt_cache_key: 12 hex digits for IGT_SRC's content and the options.
igt_cache_key() {
	{
		printf '%s\n' "${IGT_MESON_OPTS[@]}"
		if [[ -f $IGT_SRC ]]; then
			sha256sum <"$IGT_SRC"
		elif [[ $(git -C "$IGT_SRC" rev-parse --show-toplevel 2>/dev/null) == "$IGT_SRC" ]]; then
			git -C "$IGT_SRC" rev-parse HEAD
			git -C "$IGT_SRC" status --porcelain
			git -C "$IGT_SRC" diff
		else
			(cd "$IGT_SRC" && find . -path ./build -prune -o -type f \
				-printf '%P %s %T@\n' | LC_ALL=C sort)
		fi
	} | sha256sum | cut -c1-12
}

# igt_unpack DIR: a pristine copy of IGT_SRC in DIR/src.
igt_unpack() {
	local dir=$1

	rm -rf "$dir/src"
	mkdir -p "$dir/src"
	if [[ -f $IGT_SRC ]]; then
		tar -xf "$IGT_SRC" -C "$dir/src" --strip-components=1
	else
		(cd "$IGT_SRC" && tar -cf - --exclude=./.git --exclude=./build .) |
			tar -xf - -C "$dir/src"
	fi
}

# igt_sync_file SRC DST: copy only when the content differs, so that
# ninja rebuilds only what changed.
igt_sync_file() {
	mkdir -p "$(dirname "$2")"
	cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"
}

# igt_add_secbuf DIR: secbuf's tests as tests/secbuf/ of DIR/src, the way
# igt-tests/README.md says to move them: igt-tests/{meson.build,tests,lib,
# kmod/secbuf_test_importer.h} without the project's own runtime
# (lib/igt.h, lib/igt_core.[ch], and its copies of IGT's own igt_vgem.[ch],
# ioctl_wrappers.[ch], sw_sync.[ch], dmabuf_sync_file.[ch] and
# vgem_drm.h, which IGT's lib/ and libigt provide), and
# include/uapi/linux/secbuf.h as
# include/linux/secbuf.h. Files that are no longer there go.
igt_add_secbuf() {
	local src=$1/src dst=$1/src/tests/secbuf top=$SECBUF_TOP f
	local -A want=()

	for f in "$top"/igt-tests/meson.build "$top"/igt-tests/tests/*.c \
		 "$top"/igt-tests/lib/*.[ch] "$top"/igt-tests/kmod/secbuf_test_importer.h; do
		case ${f##*/} in
		igt.h | igt_core.[ch] | igt_vgem.[ch] | ioctl_wrappers.[ch] | \
		sw_sync.[ch] | dmabuf_sync_file.[ch] | vgem_drm.h) continue ;;
		esac
		want[${f#"$top"/igt-tests/}]=1
		igt_sync_file "$f" "$dst/${f#"$top"/igt-tests/}"
	done
	want[include/linux/secbuf.h]=1
	igt_sync_file "$top/include/uapi/linux/secbuf.h" "$dst/include/linux/secbuf.h"
	while read -r f; do
		[[ -n ${want[$f]:-} ]] || rm -f "$dst/$f"
	done < <(cd "$dst" && find . -type f -printf '%P\n')
	grep -qx "subdir('secbuf')" "$src/tests/meson.build" ||
		printf "\nsubdir('secbuf')\n" >>"$src/tests/meson.build"
}

# igt_secbuf_targets: the ninja targets of secbuf's tests, one per
# igt-tests/tests/*.c; each must be in igt-tests/meson.build.
igt_secbuf_targets() {
	local f name

	for f in "$SECBUF_TOP"/igt-tests/tests/*.c; do
		name=$(basename "$f" .c)
		grep -q "^	'$name',\$" "$SECBUF_TOP/igt-tests/meson.build" ||
			die "igt-tests/meson.build does not list $name"
		printf 'tests/secbuf/%s\n' "$name"
	done
}

# igt_shared_symbols BUILD: global symbols that secbuf's objects define and
# libigt.so exports too (printed; none is the only right answer).
igt_shared_symbols() {
	local build=$1

	comm -12 \
		<(nm -D --defined-only "$build/lib/libigt.so.0" | awk '{ print $3 }' | LC_ALL=C sort -u) \
		<(find "$build/tests/secbuf" -name '*.o' -exec nm -g --defined-only {} + |
			awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u)
}

# igt_build_locked DIR: IGT (once) and secbuf's tests (each time) in DIR.
igt_build_locked() {
	local dir=$1 log=$1/build.log targets shared start=$SECONDS

	if [[ ! -e $dir/.complete ]]; then
		msg "igt: unpacking $IGT_SRC into $dir/src"
		igt_unpack "$dir"
		igt_add_secbuf "$dir"
		rm -rf "$dir/build"
		meson setup "$dir/build" "$dir/src" "${IGT_MESON_OPTS[@]}" >"$log" 2>&1 ||
			{ show_log_tail "$log" 40; die "igt: meson setup failed (log: $log)"; }
		msg "igt: building libigt and igt_runner, $(nproc) jobs (log: $log)"
		ninja -C "$dir/build" lib/libigt.so.0 runner/igt_runner runner/igt_results \
			>>"$log" 2>&1 ||
			{ show_log_tail "$log" 40; die "igt: building libigt failed (log: $log)"; }
		: >"$dir/.complete"
	fi
	igt_add_secbuf "$dir"
	mapfile -t targets < <(igt_secbuf_targets)
	ninja -C "$dir/build" "${targets[@]}" >"$log" 2>&1 ||
		{ show_log_tail "$log" 60; die "igt: secbuf's tests do not build in IGT's tree (log: $log)"; }
	shared=$(igt_shared_symbols "$dir/build")
	[[ -z $shared ]] ||
		die "igt: secbuf's tests define symbols libigt.so exports: ${shared//$'\n'/ }"
	msg "igt: ${#targets[@]} tests built in $dir/src/tests/secbuf against IGT's libigt ($((SECONDS - start))s)"
}

# igt_build: build under the key's lock and print the cache directory.
igt_build() {
	local dir lock fd

	igt_src_check
	dir=$(secbuf_cache_dir)/igt/$(igt_cache_key)
	lock=$(secbuf_cache_dir)/igt/.${dir##*/}.lock
	mkdir -p "$dir"
	exec {fd}>"$lock"
	if ! flock -n "$fd"; then
		msg "igt: waiting for another build in $dir"
		flock "$fd"
	fi
	igt_build_locked "$dir"
	exec {fd}>&-
	printf '%s\n' "$dir"
}
