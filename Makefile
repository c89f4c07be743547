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
#
# Installing without Debian packages (docs/install.md):
#   make install [KDIR=...] [DESTDIR=...] [PREFIX=/usr/local]
#                the module (modules_install into updates/), libsecbuf, its
#                header and .pc, secbufctl, the udev rule
#   make install-dkms [DESTDIR=...]
#                the module's source and dkms.conf in /usr/src/secbuf-VERSION

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

# The package version: userspace/Makefile's (debian/changelog must agree).
VERSION		:= $(shell sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' $(SRCDIR)/userspace/Makefile)
PREFIX		?= /usr/local
# udev reads rules from /lib/udev/rules.d (and /etc/udev/rules.d), whatever
# PREFIX is; /usr/lib/udev/rules.d on a merged-/usr system is the same.
UDEVRULESDIR	?= /lib/udev/rules.d
DKMS_SRCDIR	?= /usr/src/secbuf-$(VERSION)

.PHONY: all modules modules_clean userspace igt igt-tree check fuzz run shell lint dtb bench clean \
	install install-module install-userspace install-udev install-dkms

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

# INSTALL_MOD_DIR=updates: the packaged module (updates/dkms) and this one
# take precedence over an in-tree secbuf of the same kernel. depmod runs
# where kbuild can (the kernel's System.map is there and DESTDIR is empty or
# a full root).
install: install-module install-userspace install-udev

install-module: modules
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install

install-userspace:
	$(MAKE) -C userspace install O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 udev/60-secbuf.rules $(DESTDIR)$(UDEVRULESDIR)/

# What DKMS builds from: the Kbuild, the sources and the uapi header the
# module includes, and dkms.conf with the version filled in.
install-dkms:
	install -d $(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux
	install -m 0644 $(SECBUF_DIR)/Kbuild \
		$(filter-out %.mod.c,$(wildcard $(SECBUF_DIR)/*.c)) \
		$(wildcard $(SECBUF_DIR)/*.h) $(DESTDIR)$(DKMS_SRCDIR)/
	install -m 0644 include/uapi/linux/secbuf.h \
		$(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms/dkms.conf \
		>$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMS_SRCDIR)/dkms.conf

clean:
	rm -rf build
	-$(MAKE) -C userspace clean O=$(O)
	-$(MAKE) -C igt-tests clean O=$(O)
