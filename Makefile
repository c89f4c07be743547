# SPDX-License-Identifier: GPL-2.0
#
# secbuf top-level Makefile.
#
# Out-of-tree module build against any kernel tree or headers package:
#   make modules KDIR=/path/to/headers [ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-]
#
# Everything else (userspace, tests, VM lanes) is driven from here too:
#   make check   every lane, every subtest, ends with "N passed, N failed"
#   make run     the scripted demo on the default board (arm64, 6.1): the
#                camera-to-GPU pipeline, then the security demo
#                (FRAMES=N, SNAPSHOT=frame.png)
#   make shell   the default board, left at a shell in the guest
#   make lint    W=1, sparse and checkpatch --strict against every lane's headers
#   make bench   secbuf-bench in BENCH_LANES; JSON, PNG and table in build/bench/
#   make fuzz    secbuf_fuzz on every lane (LANES) with FUZZ_OPS operations
#                per seed (default 50000) and FUZZ_SEEDS seeds (default 4)
#   make igt-tree IGT_SRC=<igt-gpu-tools tree or tarball>
#                the tests moved into tests/secbuf/ of a scratch copy of
#                IGT's tree and built there by its meson

SRCDIR		:= $(CURDIR)
KDIR		?= /lib/modules/$(shell uname -r)/build
SECBUF_DIR	:= $(SRCDIR)/drivers/dma-buf/secbuf
LANE		?= arm64-6.1
O		?= $(SRCDIR)/build/host
# Lanes whose kernels have the benchmark's anchors (udmabuf on 6.12; the
# dma-heaps and udmabuf on x86_64-bench, the debug lane's kernel without
# its checkers).
BENCH_LANES	?= arm64-6.12 x86_64-bench
# make fuzz: operations per seed and seeds of each secbuf_fuzz subtest, and
# the time one subtest may take in the guest (the harness kills it then).
FUZZ_OPS	?= 50000
FUZZ_SEEDS	?= 4
FUZZ_TIMEOUT	?= 3600

# The Kbuild file is the in-tree one; out of tree we only have to say "m"
# and point the compiler at our uapi header.
KBUILD_ARGS	:= M=$(SECBUF_DIR) CONFIG_DMABUF_SECBUF=m \
		   KCPPFLAGS="-I$(SRCDIR)/include/uapi"

.PHONY: all modules modules_clean userspace igt igt-tree check fuzz run shell lint dtb bench clean

all: userspace igt

modules:
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) modules

modules_clean:
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) clean

userspace:
	$(MAKE) -C userspace O=$(O)

igt: userspace
	$(MAKE) -C igt-tests O=$(O)

igt-tree:
	@scripts/setup-host
	@scripts/igt-tree >/dev/null

dtb:
	$(MAKE) -C dts O=$(O)

check:
	@scripts/check

# The fuzzer's subtests, long: the environment reaches the guest through
# scripts/lib/vm.sh (SECBUF_TEST_ENV). SECBUF_SEED=N replays a seed.
fuzz:
	@SECBUF_FILTER='secbuf_fuzz@*' SECBUF_FUZZ_OPS=$(FUZZ_OPS) \
		SECBUF_FUZZ_SEEDS=$(FUZZ_SEEDS) \
		SECBUF_SUBTEST_TIMEOUT=$(FUZZ_TIMEOUT) \
		SECBUF_LANE_TIMEOUT=$$(( 2 * $(FUZZ_TIMEOUT) + 600 )) scripts/check

# make run [FRAMES=N] [SNAPSHOT=frame.png]: the pipeline's frame count, and
# a PNG of its first frame (a path relative to this directory).
run:
	@scripts/run-demo --lane $(LANE) $(if $(FRAMES),--frames $(FRAMES)) \
		$(if $(SNAPSHOT),--snapshot $(abspath $(SNAPSHOT)))

shell:
	@scripts/run-demo --lane $(LANE) --shell

lint:
	scripts/lint

bench:
	@BENCH_LANES="$(BENCH_LANES)" scripts/bench

clean:
	rm -rf build
	-$(MAKE) -C userspace clean O=$(O)
	-$(MAKE) -C igt-tests clean O=$(O)
