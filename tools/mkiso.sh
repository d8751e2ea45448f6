#!/bin/bash
# tools/mkiso.sh OUT.iso "KERNEL CMDLINE" "MODSPEC;MODSPEC;..." ["MODSPEC;..."]
#
# With a fourth argument the menu has a second entry, "rung with a Linux
# guest", booting those modules instead, and waits 5 s for a choice.
#
# Builds a BIOS-bootable GRUB ISO holding build/rung.elf and the guests named
# by the module specs.  A MODSPEC is "file.elf opt=v ...": file.elf comes from
# build/guests/ (bad/FILE from build/bad/, tools/mkbad.py's malformed images).
# GRUB drops a module's path from the string it passes, so the path is
# repeated on purpose (the guest ABI, section 1).  An empty list boots
# the kernel alone.  Used by `make iso` and by tools/harness.py (Bochs runs).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 4 ]; then
    echo "usage: $0 OUT.iso [\"KERNEL CMDLINE\"] [\"MODSPEC;MODSPEC;...\"] [\"LINUX MODSPECS\"]" >&2
    exit 2
fi
out=$1 cmdline=${2:-} modspecs=${3:-} linux_specs=${4:-}
build=${RUNG_BUILD:-build}   # the build tree (the harness may pass another)
kernel=$build/rung.elf
[ -f "$kernel" ] || { echo "mkiso: $kernel is missing (run make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/iso   # the ISO's tree; the log stays outside it
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/rung.elf"

# The GRUB module lines for a list of MODSPECs, copying their files in.
module_lines() {
    local spec words file src lines=
    IFS=';' read -ra specs <<< "$1"
    for spec in "${specs[@]}"; do
        read -ra words <<< "$spec"
        [ ${#words[@]} -gt 0 ] || continue
        file=${words[0]}
        src=$build/guests/$file
        case $file in bad/*) src=$build/$file ;; esac   # malformed images (tools/mkbad.py)
        [ -f "$src" ] || { echo "mkiso: $src is missing" >&2; exit 1; }
        mkdir -p "$(dirname "$root/boot/$file")"
        cp "$src" "$root/boot/$file"
        lines+="    module /boot/$file /boot/${words[*]}"$'\n'
    done
    printf '%s' "$lines"
}
modules=$(module_lines "$modspecs")
linux_entry=
timeout=0
if [ -n "$linux_specs" ]; then
    linux_entry="menuentry \"rung with a Linux guest (shell on COM1; Ctrl-T moves the input)\" {
    multiboot /boot/rung.elf${cmdline:+ $cmdline}
$(module_lines "$linux_specs")
}"
    timeout=5
fi

cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=$timeout
menuentry "rung" {
    multiboot /boot/rung.elf${cmdline:+ $cmdline}
${modules}
}
${linux_entry}
CFG

mkdir -p "$(dirname "$out")"
# Only the BIOS platform (i386-pc), and no extra fonts, locales or themes:
# a tenth of the default size (0.9 MB, not 9.5 MB), and quicker to build.
log=$tmp/mkrescue.log
if ! grub-mkrescue --output="$out.$$.tmp" -d /usr/lib/grub/i386-pc \
        --install-modules="multiboot serial terminal normal configfile iso9660 biosdisk part_msdos" \
        --fonts= --locales= --themes= --compress=no \
        "$root" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$out.$$.tmp"
    exit 1
fi
mv "$out.$$.tmp" "$out"
