// kernel/devices/pci.cc: configuration mechanism 1, the host bridge, and
// configuration spaces with write masks.
#include "devices/pci.h"
#include "lib/format.h"

namespace pci {

namespace {

constexpr u32 ALL_ONES = 0xFFFFFFFF;
constexpr u32 ADDRESS_ENABLE = 0x80000000;
constexpr u32 ADDRESS_KEPT = ADDRESS_ENABLE | 0x00FFFFFC; // enable, bus, device, function, register

constexpr bool valid_size(u32 size) { return size == 1 || size == 2 || size == 4; }
constexpr u32 size_mask(u32 size) { return size == 4 ? ALL_ONES : (1u << (8 * size)) - 1; }

} // namespace

// ---- Function ---------------------------------------------------------------

const char* Function::config_read(u32 offset, u32 size, u32* value)
{
    *value = get(offset, size);
    return nullptr;
}

const char* Function::config_write(u32 offset, u32 size, u32 value)
{
    for (u32 i = 0; i < size; i++) {
        u8 byte = static_cast<u8>(value >> (8 * i));
        u8 mask = writable_[offset + i];
        space_[offset + i] = static_cast<u8>((space_[offset + i] & ~mask) | (byte & mask));
    }
    return nullptr;
}

const char* Function::bar_read(u32, u32 size, u32* value)
{
    *value = size_mask(size);
    return nullptr;
}

const char* Function::bar_write(u32, u32, u32) { return nullptr; }

void Function::set(u32 offset, u32 size, u32 value)
{
    for (u32 i = 0; i < size && offset + i < CONFIG_SPACE_SIZE; i++)
        space_[offset + i] = static_cast<u8>(value >> (8 * i));
}

void Function::set_writable(u32 offset, u32 size, u32 mask)
{
    for (u32 i = 0; i < size && offset + i < CONFIG_SPACE_SIZE; i++)
        writable_[offset + i] = static_cast<u8>(mask >> (8 * i));
}

u32 Function::get(u32 offset, u32 size) const
{
    u32 value = 0;
    for (u32 i = 0; i < size && offset + i < CONFIG_SPACE_SIZE; i++)
        value |= static_cast<u32>(space_[offset + i]) << (8 * i);
    return value;
}

void Function::set_bar0(u32 base, u32 size)
{
    bar_base_ = base;
    bar_size_ = size;
    // Bits 3-0: memory, 32-bit, not prefetchable; all 0, read-only.
    set(BAR0, 4, base);
    set_writable(BAR0, 4, ~(size - 1) & ~0xFu);
    set(COMMAND, 2, get(COMMAND, 2) | COMMAND_MEMORY);
}

bool Function::bar_decoded() const
{
    return bar_size_ && (get(COMMAND, 2) & COMMAND_MEMORY) && get(BAR0, 4) == bar_base_;
}

bool Function::bar_moved() const
{
    u32 bar = get(BAR0, 4);
    return bar_size_ && bar != bar_base_ && bar != (~(bar_size_ - 1) & ~0xFu);
}

// ---- the host bridge ----------------------------------------------------------

HostBridge::HostBridge()
{
    set(VENDOR_ID, 2, 0x8086);
    set(DEVICE_ID, 2, 0x1237); // the 440FX's, as QEMU and Bochs present it
    set(COMMAND, 2, COMMAND_MEMORY | COMMAND_IO);
    set(REVISION, 1, 2);
    set(CLASS_CODE, 3, 0x060000); // bridge, host bridge, interface 0
    set(HEADER_TYPE, 1, 0);
    // Nothing writable: the guest has nothing to configure here.
}

// ---- the bus --------------------------------------------------------------------

bool Bus::attach(u32 slot, Function* function)
{
    if (slot == 0 || slot >= SLOTS || !function || slots_[slot]) return false;
    slots_[slot] = function;
    return true;
}

Function* Bus::addressed(u32* dword_offset) const
{
    if (!(address_ & ADDRESS_ENABLE)) return nullptr;
    u32 bus = (address_ >> 16) & 0xFF, device = (address_ >> 11) & 0x1F, function = (address_ >> 8) & 7;
    if (bus != 0 || function != 0) return nullptr;
    *dword_offset = address_ & 0xFC;
    return slots_[device];
}

const char* Bus::io_read(u16 port, u32 size, u32* value)
{
    *value = ALL_ONES;
    if (!valid_size(size)) return nullptr;
    *value = size_mask(size);
    if (port == CONFIG_ADDRESS_PORT && size == 4) {
        *value = address_;
        return nullptr;
    }
    if (port < CONFIG_DATA_PORT || port > CONFIG_DATA_PORT + 3 || port - CONFIG_DATA_PORT + size > 4)
        return nullptr;
    u32 offset = 0;
    Function* f = addressed(&offset);
    if (!f) return nullptr;
    u32 v = 0;
    const char* error = f->config_read(offset + (port - CONFIG_DATA_PORT), size, &v);
    *value = v & size_mask(size);
    return error;
}

const char* Bus::io_write(u16 port, u32 size, u32 value)
{
    if (!valid_size(size)) return nullptr;
    if (port == CONFIG_ADDRESS_PORT && size == 4) {
        address_ = value & ADDRESS_KEPT;
        return nullptr;
    }
    if (port < CONFIG_DATA_PORT || port > CONFIG_DATA_PORT + 3 || port - CONFIG_DATA_PORT + size > 4)
        return nullptr;
    u32 offset = 0;
    Function* f = addressed(&offset);
    if (!f) return nullptr;
    return f->config_write(offset + (port - CONFIG_DATA_PORT), size, value & size_mask(size));
}

Function* Bus::bar_at(u32 gpa, u32* offset) const
{
    for (u32 slot = 1; slot < SLOTS; slot++) {
        Function* f = slots_[slot];
        if (f && f->bar_size() && gpa - f->bar_base() < f->bar_size()) {
            *offset = gpa - f->bar_base();
            return f;
        }
    }
    return nullptr;
}

const char* Bus::mmio_read(u32 gpa, u32 size, u32* value)
{
    *value = ALL_ONES;
    u32 offset = 0;
    Function* f = bar_at(gpa, &offset);
    if (!f || !valid_size(size) || size > f->bar_size() - offset) {
        snformat(error_, sizeof error_, "%u-byte read at 0x%x is not inside a BAR", size, gpa);
        return error_;
    }
    *value = size_mask(size);
    if (!f->bar_decoded()) return nullptr;
    return f->bar_read(offset, size, value);
}

const char* Bus::mmio_write(u32 gpa, u32 size, u32 value)
{
    u32 offset = 0;
    Function* f = bar_at(gpa, &offset);
    if (!f || !valid_size(size) || size > f->bar_size() - offset) {
        snformat(error_, sizeof error_, "%u-byte write at 0x%x is not inside a BAR", size, gpa);
        return error_;
    }
    if (!f->bar_decoded()) return nullptr;
    return f->bar_write(offset, size, value & size_mask(size));
}

} // namespace pci
