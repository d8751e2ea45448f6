// kernel/devices/instruction.h: decoding the one guest instruction that
// trapped, for the device layer (Linux guests, section 3).  A ring-1 `in`,
// `out` or `cli` faults with #GP; a `mov` on a virtio BAR faults with #PF.
// The host reads up to 15 bytes at the guest's EIP and asks what they are.
// Only the few forms the device layer emulates are decoded, in 32-bit
// protected mode with flat segments; everything else is `unsupported`.
// Pure: unit-tested on the build machine.
#pragma once
#include "arch/trap_frame.h"
#include "lib/types.h"

// The longest instruction the CPU accepts; a longer one raises #GP.
constexpr u32 MAX_INSTRUCTION_LENGTH = 15;

// General registers by their encoding number (ModRM reg and rm, SIB base
// and index).  As a 1-byte operand, numbers 4-7 name AH, CH, DH and BH: the
// second byte of EAX, ECX, EDX and EBX, not ESP, EBP, ESI and EDI.
constexpr u8 REGISTER_EAX = 0, REGISTER_ECX = 1, REGISTER_EDX = 2, REGISTER_EBX = 3,
             REGISTER_ESP = 4, REGISTER_EBP = 5, REGISTER_ESI = 6, REGISTER_EDI = 7;
constexpr u8 NO_REGISTER = 0xFF;

enum class InstructionKind : u8 {
    unsupported,          // not one of the forms below, or longer than 15 bytes
    truncated,            // the bytes available end before the instruction does
    in,                   // E4 E5 (port imm8), EC ED (port DX): into AL, AX or EAX
    out,                  // E6 E7, EE EF: from AL, AX or EAX
    string_io,            // INS 6C 6D, OUTS 6E 6F, with or without REP (F2/F3)
    cli,                  // FA
    sti,                  // FB
    hlt,                  // F4
    mov_store_register,   // 88, 89: register to memory
    mov_store_immediate,  // C6 /0 imm8, C7 /0 imm16/32: immediate to memory
    mov_load,             // 8A, 8B: memory to register
    movzx_load,           // 0F B6, 0F B7: memory zero-extended to register
    not_memory_operand,   // one of the four mov forms above with a register
                          // operand (ModRM mod 11): it cannot have faulted on
                          // a BAR.  length, size, register_size, reg and
                          // immediate are decoded as for that form; memory
                          // is empty.
};

// A short name for reasons and logs ("in", "string I/O", "mov load", ...).
const char* instruction_kind_name(InstructionKind kind);

// The address of a memory operand: base + index * scale + displacement,
// modulo 2^32 (segments are flat, so this is the linear address).
struct MemoryOperand {
    u8 base = NO_REGISTER;   // register number or NO_REGISTER
    u8 index = NO_REGISTER;  // register number or NO_REGISTER (never ESP)
    u8 scale = 1;            // 1, 2, 4 or 8; 1 when there is no index
    u32 displacement = 0;    // disp8 is already sign-extended

    // `registers` is indexed by register number (see registers_from_frame).
    u32 address(const u32 (&registers)[8]) const;
};

// One decoded instruction.  For `unsupported` and `truncated` only `kind` is
// meaningful (and `length` is 0); for the other kinds, the fields their
// comment names.
struct Instruction {
    InstructionKind kind = InstructionKind::unsupported;
    u8 length = 0;         // bytes, prefixes included: EIP += length skips it
    u8 size = 0;           // bytes moved through the port or memory: 1, 2 or 4
                           // (in, out, string_io, every mov kind)
    u8 register_size = 0;  // width of `reg` as read or written: `size`, except
                           // for movzx_load (2 with 0x66, else 4)
    u8 reg = 0;            // register number: the mov kinds' register operand
                           // (not mov_store_immediate); EAX for in and out
    bool port_in_dx = false; // in, out: the port is DX (else `port`)
    u16 port = 0;            // in, out with port_in_dx false: the imm8
    u32 immediate = 0;       // mov_store_immediate: zero-extended from `size` bytes
    bool repeat = false;     // string_io: F2 or F3 came with it
    bool string_input = false; // string_io: INS (else OUTS)
    MemoryOperand memory;    // the mov kinds except not_memory_operand

    bool accesses_memory() const
    {
        return kind == InstructionKind::mov_store_register || kind == InstructionKind::mov_store_immediate ||
               kind == InstructionKind::mov_load || kind == InstructionKind::movzx_load;
    }
    bool writes_memory() const
    {
        return kind == InstructionKind::mov_store_register || kind == InstructionKind::mov_store_immediate;
    }
};

// Decodes the instruction at `bytes`, of which `available` can be read (more
// than 15 are never looked at; fewer when the next page is not mapped).
// Accepted prefixes, in any order and number: 0x66 (operand size 16),
// segment overrides 2E 36 3E 26 64 65 (ignored: segments are flat) and, for
// string I/O only, REP F2/F3.  0x67 (16-bit addressing), LOCK and every
// other prefix make the instruction unsupported.  The answer is decided as
// soon as the bytes allow: an unsupported opcode is unsupported even when
// the bytes after it are missing.
Instruction decode_instruction(const u8* bytes, u32 available);

// A register slot of `size` bytes (1, 2 or 4), by register number, in an
// array indexed by register number.  Size 1 with numbers 4-7 is AH CH DH BH.
// A write leaves the other bytes of the 32-bit register unchanged.
u32 read_register(const u32 (&registers)[8], u8 number, u8 size);
void write_register(u32 (&registers)[8], u8 number, u8 size, u32 value);

// The port of an `in` or `out` (DX, or the immediate).
u16 instruction_port(const Instruction& instruction, const u32 (&registers)[8]);

// What an `out`, mov_store_register or mov_store_immediate writes: `size`
// bytes, zero-extended.
u32 value_to_store(const Instruction& instruction, const u32 (&registers)[8]);

// Completes an `in`, mov_load or movzx_load with the `size` bytes read
// (`value` is truncated to them): the register gets them, zero-extended to
// `register_size` for movzx.
void complete_load(const Instruction& instruction, u32 (&registers)[8], u32 value);

// The guest's registers by number, from the frame its trap saved: ESP is the
// guest's own (the CPU pushed it on the change to ring 0), not pushal's slot,
// which holds the host's.  registers_to_frame writes all eight back.
inline void registers_from_frame(const TrapFrame& frame, u32 (&registers)[8])
{
    registers[REGISTER_EAX] = frame.eax;
    registers[REGISTER_ECX] = frame.ecx;
    registers[REGISTER_EDX] = frame.edx;
    registers[REGISTER_EBX] = frame.ebx;
    registers[REGISTER_ESP] = frame.esp;
    registers[REGISTER_EBP] = frame.ebp;
    registers[REGISTER_ESI] = frame.esi;
    registers[REGISTER_EDI] = frame.edi;
}

inline void registers_to_frame(const u32 (&registers)[8], TrapFrame& frame)
{
    frame.eax = registers[REGISTER_EAX];
    frame.ecx = registers[REGISTER_ECX];
    frame.edx = registers[REGISTER_EDX];
    frame.ebx = registers[REGISTER_EBX];
    frame.esp = registers[REGISTER_ESP];
    frame.ebp = registers[REGISTER_EBP];
    frame.esi = registers[REGISTER_ESI];
    frame.edi = registers[REGISTER_EDI];
}
