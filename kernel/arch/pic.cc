// kernel/arch/pic.cc
#include "arch/pic.h"
#include "arch/ports.h"

namespace pic {
namespace {

constexpr u16 MASTER_CMD = 0x20, MASTER_DATA = 0x21, SLAVE_CMD = 0xA0, SLAVE_DATA = 0xA1;
u16 masks = 0xFFFF;

void write_masks()
{
    port::out8(MASTER_DATA, static_cast<u8>(masks));
    port::out8(SLAVE_DATA, static_cast<u8>(masks >> 8));
}

} // namespace

void init()
{
    // ICW1: edge triggered, cascade, ICW4 follows.
    port::out8(MASTER_CMD, 0x11); port::io_delay();
    port::out8(SLAVE_CMD, 0x11); port::io_delay();
    port::out8(MASTER_DATA, VECTOR_BASE); port::io_delay();     // ICW2: vector base
    port::out8(SLAVE_DATA, VECTOR_BASE + 8); port::io_delay();
    port::out8(MASTER_DATA, 1 << 2); port::io_delay();          // ICW3: slave on IRQ 2
    port::out8(SLAVE_DATA, 2); port::io_delay();
    port::out8(MASTER_DATA, 0x01); port::io_delay();            // ICW4: 8086 mode
    port::out8(SLAVE_DATA, 0x01); port::io_delay();
    masks = 0xFFFF & ~(1u << 2); // the cascade line stays open
    write_masks();
}

void unmask(u32 irq)
{
    masks = static_cast<u16>(masks & ~(1u << irq));
    write_masks();
}

void mask(u32 irq)
{
    masks = static_cast<u16>(masks | (1u << irq));
    write_masks();
}

void end_of_interrupt(u32 irq)
{
    if (irq >= 8) port::out8(SLAVE_CMD, 0x20);
    port::out8(MASTER_CMD, 0x20);
}

bool is_spurious(u32 irq)
{
    if (irq != 7 && irq != 15) return false;
    u16 cmd = irq == 7 ? MASTER_CMD : SLAVE_CMD;
    port::out8(cmd, 0x0B); // read the in-service register
    bool in_service = port::in8(cmd) & 0x80;
    if (!in_service && irq == 15) port::out8(MASTER_CMD, 0x20); // the master saw a real IRQ 2
    return !in_service;
}

} // namespace pic
