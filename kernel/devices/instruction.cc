// kernel/devices/instruction.cc: the decoder reads the bytes in the order
// the CPU does (prefixes, opcode, ModRM, SIB, displacement, immediate) and
// stops at the first byte that settles the answer.  Every read goes through
// one Reader, which alone knows the two limits: the 15-byte architectural
// maximum (past it: unsupported, the CPU would raise #GP) and the bytes
// available (past them: truncated).
#include "devices/instruction.h"

namespace {

struct Reader {
    const u8* bytes;
    u32 available;
    u32 position = 0;
    InstructionKind failure = InstructionKind::unsupported; // why the last take failed

    bool take(u8& byte)
    {
        if (position >= MAX_INSTRUCTION_LENGTH) {
            failure = InstructionKind::unsupported;
            return false;
        }
        if (position >= available) {
            failure = InstructionKind::truncated;
            return false;
        }
        byte = bytes[position++];
        return true;
    }

    // `count` bytes (1, 2 or 4), little-endian.
    bool take(u32 count, u32& value)
    {
        value = 0;
        for (u32 i = 0; i < count; i++) {
            u8 byte;
            if (!take(byte)) return false;
            value |= static_cast<u32>(byte) << (8 * i);
        }
        return true;
    }
};

Instruction failed(InstructionKind why)
{
    Instruction out;
    out.kind = why;
    return out;
}

bool is_segment_override(u8 byte)
{
    return byte == 0x2E || byte == 0x36 || byte == 0x3E || byte == 0x26 || byte == 0x64 || byte == 0x65;
}

// What follows a ModRM byte with mod 00, 01 or 10: the SIB byte and the
// displacement, as parts of the address.
bool read_address(Reader& reader, u8 modrm, MemoryOperand& m)
{
    u8 mod = modrm >> 6, rm = modrm & 7;
    bool displacement32 = mod == 2;
    if (rm == 4) { // SIB
        u8 sib;
        if (!reader.take(sib)) return false;
        u8 scale_bits = sib >> 6, index = (sib >> 3) & 7, base = sib & 7;
        if (index != REGISTER_ESP) { // index 100: none
            m.index = index;
            m.scale = static_cast<u8>(1u << scale_bits);
        }
        if (base == REGISTER_EBP && mod == 0)
            displacement32 = true; // no base, disp32
        else
            m.base = base;
    } else if (rm == 5 && mod == 0) {
        displacement32 = true; // disp32 alone
    } else {
        m.base = rm;
    }

    if (mod == 1) {
        u32 disp8;
        if (!reader.take(1, disp8)) return false;
        m.displacement = static_cast<u32>(static_cast<i32>(static_cast<i8>(disp8)));
    } else if (displacement32) {
        if (!reader.take(4, m.displacement)) return false;
    }
    return true;
}

} // namespace

const char* instruction_kind_name(InstructionKind kind)
{
    switch (kind) {
    case InstructionKind::unsupported: return "unsupported";
    case InstructionKind::truncated: return "truncated";
    case InstructionKind::in: return "in";
    case InstructionKind::out: return "out";
    case InstructionKind::string_io: return "string I/O";
    case InstructionKind::cli: return "cli";
    case InstructionKind::sti: return "sti";
    case InstructionKind::hlt: return "hlt";
    case InstructionKind::mov_store_register: return "mov store from register";
    case InstructionKind::mov_store_immediate: return "mov store immediate";
    case InstructionKind::mov_load: return "mov load";
    case InstructionKind::movzx_load: return "movzx load";
    case InstructionKind::not_memory_operand: return "mov with no memory operand";
    }
    return "?";
}

u32 MemoryOperand::address(const u32 (&registers)[8]) const
{
    u32 sum = displacement;
    if (base != NO_REGISTER) sum += registers[base & 7];
    if (index != NO_REGISTER) sum += registers[index & 7] * scale;
    return sum;
}

Instruction decode_instruction(const u8* bytes, u32 available)
{
    Reader reader{bytes, available};
    bool operand16 = false, repeat = false;
    u8 opcode;
    for (;;) {
        if (!reader.take(opcode)) return failed(reader.failure);
        if (opcode == 0x66)
            operand16 = true;
        else if (opcode == 0xF2 || opcode == 0xF3)
            repeat = true;
        else if (!is_segment_override(opcode))
            break;
    }

    Instruction out;
    u8 full_size = operand16 ? 2 : 4;
    // In the I/O and mov opcodes, bit 0 chooses a byte or a full operand.
    u8 size = (opcode & 1) ? full_size : 1;
    bool has_modrm = false;
    switch (opcode) {
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        out.kind = InstructionKind::string_io;
        out.size = out.register_size = size;
        out.port_in_dx = true;
        out.repeat = repeat;
        out.string_input = opcode <= 0x6D;
        break;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        out.kind = (opcode & 2) ? InstructionKind::out : InstructionKind::in;
        out.size = out.register_size = size;
        out.reg = REGISTER_EAX;
        out.port_in_dx = opcode >= 0xEC;
        break;
    case 0xFA: out.kind = InstructionKind::cli; break;
    case 0xFB: out.kind = InstructionKind::sti; break;
    case 0xF4: out.kind = InstructionKind::hlt; break;
    case 0x88: case 0x89:
        out.kind = InstructionKind::mov_store_register;
        out.size = out.register_size = size;
        has_modrm = true;
        break;
    case 0x8A: case 0x8B:
        out.kind = InstructionKind::mov_load;
        out.size = out.register_size = size;
        has_modrm = true;
        break;
    case 0xC6: case 0xC7:
        out.kind = InstructionKind::mov_store_immediate;
        out.size = out.register_size = size;
        has_modrm = true;
        break;
    case 0x0F: {
        u8 second;
        if (!reader.take(second)) return failed(reader.failure);
        if (second != 0xB6 && second != 0xB7) return failed(InstructionKind::unsupported);
        out.kind = InstructionKind::movzx_load;
        out.size = (second & 1) ? 2 : 1;
        out.register_size = full_size;
        has_modrm = true;
        break;
    }
    default:
        return failed(InstructionKind::unsupported);
    }
    // REP means something only to string instructions; elsewhere it is
    // ignored, reserved or (after 0F) another instruction: refuse it.
    if (repeat && out.kind != InstructionKind::string_io) return failed(InstructionKind::unsupported);

    if (has_modrm) {
        u8 modrm;
        if (!reader.take(modrm)) return failed(reader.failure);
        out.reg = (modrm >> 3) & 7;
        // C6 and C7 with /1 to /7 are other instructions (or none).
        if (out.kind == InstructionKind::mov_store_immediate && out.reg != 0)
            return failed(InstructionKind::unsupported);
        bool memory_operand = (modrm >> 6) != 3; // mod 11: rm is a register
        if (memory_operand && !read_address(reader, modrm, out.memory)) return failed(reader.failure);
        if (out.kind == InstructionKind::mov_store_immediate && !reader.take(out.size, out.immediate))
            return failed(reader.failure);
        if (!memory_operand) out.kind = InstructionKind::not_memory_operand;
    } else if (!out.port_in_dx && (out.kind == InstructionKind::in || out.kind == InstructionKind::out)) {
        u32 port;
        if (!reader.take(1, port)) return failed(reader.failure);
        out.port = static_cast<u16>(port);
    }
    out.length = static_cast<u8>(reader.position);
    return out;
}

u32 read_register(const u32 (&registers)[8], u8 number, u8 size)
{
    number &= 7;
    if (size == 1) {
        if (number >= 4) return (registers[number - 4] >> 8) & 0xFF; // AH CH DH BH
        return registers[number] & 0xFF;
    }
    if (size == 2) return registers[number] & 0xFFFF;
    return registers[number];
}

void write_register(u32 (&registers)[8], u8 number, u8 size, u32 value)
{
    number &= 7;
    if (size == 1) {
        if (number >= 4) {
            u32& r = registers[number - 4];
            r = (r & ~0xFF00u) | ((value & 0xFF) << 8);
        } else {
            registers[number] = (registers[number] & ~0xFFu) | (value & 0xFF);
        }
    } else if (size == 2) {
        registers[number] = (registers[number] & ~0xFFFFu) | (value & 0xFFFF);
    } else {
        registers[number] = value;
    }
}

u16 instruction_port(const Instruction& instruction, const u32 (&registers)[8])
{
    return instruction.port_in_dx ? static_cast<u16>(registers[REGISTER_EDX]) : instruction.port;
}

u32 value_to_store(const Instruction& instruction, const u32 (&registers)[8])
{
    if (instruction.kind == InstructionKind::mov_store_immediate) return instruction.immediate;
    return read_register(registers, instruction.reg, instruction.size);
}

void complete_load(const Instruction& instruction, u32 (&registers)[8], u32 value)
{
    if (instruction.size == 1) value &= 0xFF;
    else if (instruction.size == 2) value &= 0xFFFF;
    write_register(registers, instruction.reg, instruction.register_size, value);
}
