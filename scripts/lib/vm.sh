# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Boot a lane's kernel and initramfs under QEMU. Needs lib/common.sh and
# lib/lane.sh, load_lane and prepare_lane done, and build-lane's outputs.

# Kernel command line. loglevel=5 keeps all but warnings and worse off the
# serial console (the guest dumps the rest between markers instead); panic=-1
# with -no-reboot turns a panic into a prompt QEMU exit rather than a hang.
VM_APPEND="rdinit=/init loglevel=5 printk.time=1 panic=-1"

# The environment of the tests that the host passes to the guest when set
# (make check, make fuzz; vm-run takes them on its command line instead).
SECBUF_TEST_ENV="SECBUF_SEED SECBUF_STRESS_SECONDS SECBUF_STRESS_PROCS
	SECBUF_STRESS_THREADS SECBUF_HOSTILE_ROUNDS SECBUF_FAULT_ROUNDS
	SECBUF_FAULT_PERCENT SECBUF_RELOAD_CYCLES SECBUF_REUSE_ROUNDS
	SECBUF_FUZZ_OPS SECBUF_FUZZ_SEEDS SECBUF_FUZZ_PROCS SECBUF_FUZZ_THREADS"

# vm_stage_run RUNDIR MODE [ADD_DIR] [CMD]: what one boot needs, in RUNDIR,
# so that runs in the same tree do not share files:
#   RUNDIR/initrd   the lane's initramfs followed by a second cpio archive
#                   (the kernel unpacks both) with /etc/secbuf/run.conf, the
#                   command for MODE=cmd, ADD_DIR's files under /add and
#                   $SECBUF_EXTRA_TESTS's files under /tests
#   RUNDIR/dtb      the lane's DTB
vm_stage_run() {
	local dir=$1 mode=$2 add=${3:-} cmd=${4:-} stage=$1/extra

	mkdir -p "$stage/etc/secbuf" "$stage/add"
	{
		printf 'MODE=%q\n' "$mode"
		printf 'SUBTEST_TIMEOUT=%q\n' "${SECBUF_SUBTEST_TIMEOUT:-120}"
		printf 'FILTER=%q\n' "${SECBUF_FILTER:-*}"
		# The tests' knobs (seeds, rounds, durations), when set on the
		# host, reach the guest's tests: /init sources this file.
		for v in $SECBUF_TEST_ENV; do
			[[ -z ${!v+set} ]] || printf 'export %s=%q\n' "$v" "${!v}"
		done
	} >"$stage/etc/secbuf/run.conf"
	[[ -z $cmd ]] || printf '%s\n' "$cmd" >"$stage/etc/secbuf/cmd"
	if [[ -n $add ]]; then
		[[ -d $add ]] || die "--add $add: not a directory"
		cp -a "$add/." "$stage/add/"
	fi
	# More test binaries for /tests, for the harness's own self-test.
	if [[ -n ${SECBUF_EXTRA_TESTS:-} ]]; then
		mkdir -p "$stage/tests"
		cp -a "$SECBUF_EXTRA_TESTS/." "$stage/tests/"
	fi
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$dir/extra.cpio"
	rm -rf "$stage"
	with_lock "$SECBUF_BUILD_LOCK" vm_copy_lane_files "$dir"
	rm -f "$dir/extra.cpio"
}

# Under the build lock: a build in progress rewrites these files.
vm_copy_lane_files() {
	local dir=$1 base=$LANE_OUT/initramfs.cpio.gz dtb=$LANE_OUT/${BOARD_DTB:-}

	[[ -f $base ]] || die "no $base (scripts/build-lane $LANE)"
	if [[ -n ${BOARD_DTB:-} ]]; then
		[[ -f $dtb ]] || die "no $dtb (scripts/build-lane $LANE)"
		cp "$dtb" "$dir/dtb"
	fi
	# An uncompressed archive must start 4-byte aligned in the initrd, or
	# the kernel takes it for a compressed one ("invalid magic"); it skips
	# the zeros in between.
	{
		cat "$base"
		head -c $(( (4 - $(stat -c %s "$base") % 4) % 4 )) /dev/zero
		cat "$dir/extra.cpio"
	} >"$dir/initrd"
}

# vm_qemu_args RUNDIR: sets the QEMU_CMD array (without console options).
vm_qemu_args() {
	local dir=$1

	# shellcheck disable=SC2206 # QEMU_OPTS is a list of words by design
	QEMU_CMD=("$QEMU" -machine "$QEMU_MACHINE" $QEMU_OPTS
		-kernel "$VMLINUZ" -initrd "$dir/initrd"
		-append "console=$QEMU_CONSOLE $VM_APPEND ${BOARD_APPEND:-} ${SECBUF_APPEND:-}"
		-no-reboot)
	[[ ! -f $dir/dtb ]] || QEMU_CMD+=(-dtb "$dir/dtb")
}

# vm_boot_batch RUNDIR LOG TIMEOUT: boot with the serial console in LOG and
# no terminal. Returns QEMU's status, 124 if the guest was killed on timeout.
vm_boot_batch() {
	local dir=$1 log=$2 timeout=$3 rc=0

	vm_qemu_args "$dir"
	rm -f "$log"
	# --foreground: QEMU stays in our process group, so that Ctrl-C or a
	# kill of the harness reaches it.
	timeout --foreground -k 10 "$timeout" "${QEMU_CMD[@]}" -display none -monitor none \
		-serial "file:$log" </dev/null >"$log.qemu" 2>&1 || rc=$?
	if [[ $rc -ne 0 && $rc -ne 124 ]]; then
		show_log_tail "$log.qemu" 20
	fi
	return "$rc"
}

# vm_boot_interactive RUNDIR [LOG [TIMEOUT]]: the console on this terminal
# (Ctrl-A X quits QEMU), copied to LOG if given, killed after TIMEOUT.
vm_boot_interactive() {
	local dir=$1 log=${2:-} timeout=${3:-0}

	vm_qemu_args "$dir"
	if [[ $timeout != 0 ]]; then
		QEMU_CMD=(timeout --foreground -k 10 "$timeout" "${QEMU_CMD[@]}")
	fi
	if [[ -n $log ]]; then
		"${QEMU_CMD[@]}" -nographic | tee "$log"
	else
		"${QEMU_CMD[@]}" -nographic
	fi
}
