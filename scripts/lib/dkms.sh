# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# dkms_build_lane OUT: build the module with DKMS, as secbuf-dkms does on a
# user's machine, against the lane's kernel headers (KDIR), from the source
# tree "make install-dkms" lays out, in a DKMS tree of its own under OUT
# (nothing in the host's /var/lib/dkms or /usr/src). The modules land in OUT/
# (secbuf.ko, and secbuf_dma_heap.ko where dkms.conf lists it). Needs lib/common.sh and lib/lane.sh, and prepare_lane done.
#
# Cross lanes: dkms passes its environment on to make, so ARCH and
# CROSS_COMPILE reach kbuild (dkms.conf). Lanes with a build root
# (LANE_BUILDROOT) run the host's dkms (a bash script) inside the root, whose
# compiler the 7.x headers need; the host's dkms is copied under OUT, which
# the root sees (lib/buildroot.sh binds build/ in).

# secbuf_version: the package version (userspace/Makefile's VERSION).
secbuf_version() {
	sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$SECBUF_TOP/userspace/Makefile"
}

dkms_build_lane() {
	local out=$1 ver kdir_arch mod
	local dkms=$out/bin/dkms src=$out/src tree=$out/tree

	command -v dkms >/dev/null || die "no dkms (run scripts/setup-host)"
	ver=$(secbuf_version)
	rm -rf "$out"
	mkdir -p "$out/bin" "$src" "$tree"
	install -m 0755 "$(command -v dkms)" "$dkms"
	make -s -C "$SECBUF_TOP" install-dkms DESTDIR="$src" DKMS_SRCDIR=/secbuf-"$ver" || return
	case $LANE_KARCH in
	arm64) kdir_arch=aarch64 ;;
	*) kdir_arch=$LANE_KARCH ;;
	esac
	# shellcheck disable=SC2153 # KDIR, KVER: set by prepare_lane
	lane_run /usr/bin/env ARCH="$LANE_KARCH" CROSS_COMPILE="$LANE_CROSS_COMPILE" \
		bash "$dkms" build -m secbuf -v "$ver" -k "$KVER" -a "$kdir_arch" \
		--dkmstree "$tree" --sourcetree "$src" --kernelsourcedir "$KDIR" \
		--no-depmod || {
		cat "$tree/secbuf/$ver/build/make.log" 2>/dev/null
		return 1
	}
	for mod in "$tree/secbuf/$ver/$KVER/$kdir_arch"/module/*.ko*; do
		[[ -e $mod ]] || { echo "dkms built no module"; return 1; }
		case $mod in
		*.ko) cp "$mod" "$out/" ;;
		*.ko.xz) xz -dc "$mod" >"$out/$(basename "${mod%.xz}")" ;;
		*.ko.gz) gzip -dc "$mod" >"$out/$(basename "${mod%.gz}")" ;;
		*.ko.zst) zstd -qdc "$mod" >"$out/$(basename "${mod%.zst}")" ;;
		esac
	done
	[[ "$(modinfo -F vermagic "$out/secbuf.ko" 2>/dev/null)" == "$KVER "* ]] || {
		echo "dkms's secbuf.ko is not built for $KVER"
		return 1
	}
}
