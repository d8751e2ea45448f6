# rung: build, run and test.  Every step is here; tools/ holds only the
# boot-test harness and the ISO builder it shares with `make iso`.
#
#   make          build/rung.elf and the guests in build/guests/
#   make iso      build/rung.iso: GRUB, the kernel and the demo guests
#   make run      the demo in QEMU, serial console on this terminal
#   make test     unit tests, then every boot test (QEMU TCG, KVM if usable, Bochs)
#   make bench    the nanobenchmarks under QEMU TCG -icount (instructions)
#   make soak     16 hostile and busy guests for MINUTES (default 2), then a report
#   make bochs    the demo ISO in Bochs, console in build/bochs-run.log
#   make debug    the demo in QEMU, stopped for gdb on :1234
#   make clean

B       := build
CXX     := g++
LD      := ld
PYTHON  := python3
QEMU    := qemu-system-i386

WARN    := -Wall -Wextra -Werror -Wshadow -Wold-style-cast -Wzero-as-null-pointer-constant
KFLAGS  := -m32 -march=i486 -ffreestanding -fno-exceptions -fno-rtti -fno-use-cxa-atexit \
           -fno-asynchronous-unwind-tables -fno-stack-protector -fno-pic -mgeneral-regs-only \
           -fno-threadsafe-statics -nostdlib -std=c++20 -O2 $(WARN) -MMD -MP
KCXXFLAGS := $(KFLAGS) -Ikernel -I. -I$(B)/gen
GCXXFLAGS := $(KFLAGS) -Iguest/lib -Ikernel -I.
ASFLAGS := -m32 -Ikernel -I. -I$(B)/gen -MMD -MP
LIBGCC  := $(shell $(CXX) -m32 -print-libgcc-file-name)

# ---- the host kernel --------------------------------------------------------
KERNEL_CC := $(sort $(shell find kernel switcher -name '*.cc' ! -name offsets.cc))
KERNEL_S  := boot/multiboot.S $(sort $(shell find kernel switcher -name '*.S'))
KERNEL_OBJ := $(KERNEL_S:%.S=$(B)/obj/%.o) $(KERNEL_CC:%.cc=$(B)/obj/%.o)

all: $(B)/rung.elf guests

$(B)/rung.elf: $(KERNEL_OBJ) linker.ld
	@echo "  LD      $@"
	@$(LD) -m elf_i386 -z noexecstack -T linker.ld -o $@ $(KERNEL_OBJ) $(LIBGCC)
	@grub-file --is-x86-multiboot $@ || { echo "$@ is not a Multiboot kernel"; rm -f $@; exit 1; }

# Offsets of the structures the switcher shares with C++, generated from the
# C++ definitions themselves (never typed by hand).
$(B)/gen/offsets.h: switcher/offsets.cc $(wildcard switcher/*.h kernel/arch/*.h)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(CXX) $(KCXXFLAGS) -MF /dev/null -S -o $@.s $<
	@sed -n 's/.*@@define \([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/#define \1 \2/p' $@.s > $@.tmp
	@{ echo '/* generated from switcher/offsets.cc: do not edit */'; cat $@.tmp; } > $@
	@rm -f $@.s $@.tmp

$(B)/obj/%.o: %.cc | $(B)/gen/offsets.h
	@mkdir -p $(dir $@)
	@echo "  CXX     $<"
	@$(CXX) $(KCXXFLAGS) -c -o $@ $<

$(B)/obj/%.o: %.S | $(B)/gen/offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CXX) $(ASFLAGS) -c -o $@ $<

# ---- guests -----------------------------------------------------------------
GUEST_LIB_CC := $(sort $(wildcard guest/lib/*.cc)) kernel/lib/format.cc kernel/lib/string.cc kernel/lib/memory.cc
GUEST_LIB_S  := $(sort $(wildcard guest/lib/*.S))
GUEST_LIB_OBJ := $(GUEST_LIB_S:%.S=$(B)/gobj/%.o) $(GUEST_LIB_CC:%.cc=$(B)/gobj/%.o)
GUEST_TESTS  := $(patsubst guest/tests/%.cc,%,$(sort $(wildcard guest/tests/*.cc)))
GUEST_ELFS   := $(GUEST_TESTS:%=$(B)/guests/%.elf) $(B)/guests/demo.elf $(B)/guests/bench.elf

guests: $(GUEST_ELFS) $(B)/guests/bzImage $(B)/guests/initramfs.gz

# The reference Linux guest (guest/linux/README.md), checked against its sha256.
$(B)/guests/bzImage: guest/linux/bzImage guest/linux/bzImage.sha256
	@mkdir -p $(dir $@)
	@cd guest/linux && sha256sum --quiet -c bzImage.sha256
	@cp $< $@

# Its initramfs: Debian's busybox-static for i386 (downloaded, never
# installed: it would replace the machine's own busybox), guest/linux/init
# and /bin/tsc.
$(B)/linux/busybox:
	@mkdir -p $(B)/linux/deb
	@echo "  GET     busybox-static:i386"
	@cd $(B)/linux/deb && rm -f *.deb && apt-get download busybox-static:i386 >/dev/null 2>&1 || \
	    { echo "cannot download busybox-static:i386: run 'dpkg --add-architecture i386 && apt-get update' (as root)"; exit 1; }
	@dpkg-deb -x $(B)/linux/deb/busybox-static_*_i386.deb $(B)/linux/deb/root
	@cp $(B)/linux/deb/root/bin/busybox $@

# /bin/tsc prints the time stamp counter for `make bench` (guest/linux/tsc.cc):
# a Linux i386 program of its own, no C library, no rung guest runtime.
$(B)/linux/tsc: guest/linux/tsc.cc
	@mkdir -p $(dir $@)
	@echo "  CXX     $< (Linux i386)"
	@$(CXX) -m32 -static -nostdlib -ffreestanding -fno-pic -no-pie -O2 -std=c++20 $(WARN) \
	    -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables -fno-stack-protector \
	    -Wl,--build-id=none -Wl,-z,noexecstack -s -o $@ $<

$(B)/guests/initramfs.gz: tools/mkinitramfs.py guest/linux/init $(B)/linux/busybox $(B)/linux/tsc
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(PYTHON) tools/mkinitramfs.py $@ $(B)/linux/busybox guest/linux/init --file bin/tsc=$(B)/linux/tsc

$(B)/gobj/%.o: %.cc
	@mkdir -p $(dir $@)
	@echo "  CXX     $< (guest)"
	@$(CXX) $(GCXXFLAGS) -c -o $@ $<

$(B)/gobj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	@$(CXX) -m32 -Iguest/lib -Ikernel -MMD -MP -c -o $@ $<

$(B)/guests/%.elf: $(B)/gobj/guest/tests/%.o $(GUEST_LIB_OBJ) guest/lib/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(LD) -m elf_i386 -z noexecstack -T guest/lib/guest.ld -o $@ $(GUEST_LIB_OBJ) $< $(LIBGCC)

DEMO_OBJ := $(patsubst %.cc,$(B)/gobj/%.o,$(sort $(wildcard guest/demo/*.cc)))
$(B)/guests/demo.elf: $(DEMO_OBJ) $(GUEST_LIB_OBJ) guest/demo/demo.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(LD) -m elf_i386 -z noexecstack -T guest/demo/demo.ld -o $@ $(GUEST_LIB_OBJ) $(DEMO_OBJ) $(LIBGCC)

BENCH_OBJ := $(patsubst %.cc,$(B)/gobj/%.o,$(sort $(wildcard guest/bench/*.cc)))
$(B)/guests/bench.elf: $(BENCH_OBJ) $(GUEST_LIB_OBJ) guest/lib/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(LD) -m elf_i386 -z noexecstack -T guest/lib/guest.ld -o $@ $(GUEST_LIB_OBJ) $(BENCH_OBJ) $(LIBGCC)

# ---- the ISO ----------------------------------------------------------------
DEMO_MODULES := demo.elf name=alpha mem=8M;demo.elf name=beta mem=8M;hello.elf
LINUX_MODULES := bzImage name=linux mem=64M -- console=hvc0 rung.mode=shell;initramfs.gz initrd_for=linux;hello.elf
iso: $(B)/rung.iso
$(B)/rung.iso: $(B)/rung.elf $(GUEST_ELFS) $(B)/guests/bzImage $(B)/guests/initramfs.gz tools/mkiso.sh
	bash tools/mkiso.sh $@ "" "$(DEMO_MODULES)" "$(LINUX_MODULES)"

# ---- running ----------------------------------------------------------------
QEMU_FLAGS := -display none -serial stdio -no-reboot -m 64 \
              -device isa-debug-exit,iobase=0xf4,iosize=4

run: all
	$(QEMU) $(QEMU_FLAGS) -kernel $(B)/rung.elf \
	    -initrd "$(B)/guests/demo.elf name=alpha mem=8M,$(B)/guests/demo.elf name=beta mem=8M,$(B)/guests/hello.elf"; \
	    status=$$?; [ $$status -eq 1 ] || { echo "rung exited with status $$status"; exit 1; }

# A Linux guest (with hello beside it) and its shell on this terminal, raw:
# type into it; Ctrl-T moves the input between guests; `poweroff -f` ends it.
linux: all
	@echo "rung: the Linux guest's shell comes up in a few seconds; poweroff -f in it ends the run"
	$(QEMU) -display none -chardev stdio,id=con,signal=off -serial chardev:con -no-reboot -m 256 \
	    -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $(B)/rung.elf \
	    -initrd "$(B)/guests/bzImage name=linux mem=64M -- console=hvc0 rung.mode=shell,$(B)/guests/initramfs.gz initrd_for=linux,$(B)/guests/hello.elf"; \
	    status=$$?; [ $$status -eq 1 ] || { echo "rung exited with status $$status"; exit 1; }

debug: all
	$(QEMU) $(QEMU_FLAGS) -s -S -kernel $(B)/rung.elf \
	    -initrd "$(B)/guests/demo.elf name=alpha mem=8M,$(B)/guests/hello.elf"

bochs: iso
	$(PYTHON) tools/harness.py --bochs-iso $(B)/rung.iso

bench: all
	$(PYTHON) tools/bench.py

# ---- tests ------------------------------------------------------------------
# Kernel logic that is pure, compiled unchanged for the build machine.
PURE_SRC := kernel/lib/format.cc kernel/lib/string.cc kernel/lib/calendar.cc \
            kernel/mm/memory_map.cc kernel/mm/frame_allocator.cc kernel/boot/command_line.cc \
            kernel/vmm/guest_options.cc kernel/vmm/elf.cc kernel/vmm/bzimage.cc \
            kernel/vmm/descriptor_rules.cc kernel/devices/instruction.cc kernel/devices/virtqueue.cc \
            kernel/devices/pci.cc kernel/devices/virtio_pci.cc kernel/devices/virtio_console.cc
UNIT_SRC := $(sort $(wildcard tests/unit/*.cc))
UNIT_FLAGS := -std=c++20 -O1 -g -Wall -Wextra -Werror -Ikernel -I. -MMD -MP
UNIT_OBJ := $(PURE_SRC:%.cc=$(B)/unit/%.o) $(UNIT_SRC:%.cc=$(B)/unit/%.o)

$(B)/unit/%.o: %.cc
	@mkdir -p $(dir $@)
	@echo "  CXX     $< (unit)"
	@$(CXX) $(UNIT_FLAGS) -c -o $@ $<

$(B)/unit/unit_tests: $(UNIT_OBJ)
	$(CXX) -o $@ $(UNIT_OBJ) -lgtest -lgtest_main -pthread

unit: $(B)/unit/unit_tests
	$(B)/unit/unit_tests --gtest_brief=1

test: all $(B)/unit/unit_tests
	$(PYTHON) tools/harness.py --unit $(B)/unit/unit_tests

# Malformed guest images for tests/boot/bad_boot_*.case (`modules: bad/NAME`),
# made from hello.elf and the reference bzImage by tools/mkbad.py.
all: $(B)/bad/.stamp
$(B)/bad/.stamp: tools/mkbad.py $(B)/guests/hello.elf $(B)/guests/bzImage
	@echo "  GEN     $(B)/bad/"
	@$(PYTHON) tools/mkbad.py $(B)/guests/hello.elf $(B)/bad $(B)/guests/bzImage
	@touch $@

# `make soak MINUTES=N`: 16 guests (demo copies, fuzzers, timer storms,
# console floods, witnesses) for about N minutes under QEMU TCG.
MINUTES ?= 2
SOAK_GUESTS := $(addprefix $(B)/guests/,fuzzer.elf storm.elf flood.elf witness.elf)
soak: $(B)/rung.elf $(SOAK_GUESTS)
	@$(MAKE) --no-print-directory $(B)/guests/demo.elf >/dev/null 2>&1 || \
	    echo "soak: demo.elf does not build now (an older one is used if it passes a preflight run)"
	$(PYTHON) tools/soak.py --minutes $(MINUTES)
.PHONY: soak

clean:
	rm -rf $(B)

.PHONY: all guests iso run linux debug bochs bench unit test clean
-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
.SECONDARY:
