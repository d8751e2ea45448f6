// tests/unit/test_instruction.cc: decoding the trapped instruction for the
// device layer (kernel/devices/instruction.h; Linux guests, section 3).
// Every byte string is placed so that its last byte is the last readable
// byte before an inaccessible page: a decoder that reads one byte more than
// it was given crashes the test run instead of passing by luck.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "devices/instruction.h"

namespace {

using Bytes = std::vector<u8>;
using Kind = InstructionKind;

constexpr u8 EAX = REGISTER_EAX, ECX = REGISTER_ECX, EDX = REGISTER_EDX, EBX = REGISTER_EBX,
             ESP = REGISTER_ESP, EBP = REGISTER_EBP, ESI = REGISTER_ESI, EDI = REGISTER_EDI, NONE = NO_REGISTER;
// As 1-byte operands:
constexpr u8 AL = 0, CL = 1, DL = 2, BL = 3, AH = 4, CH = 5, DH = 6, BH = 7;

// Two pages, the second inaccessible; bytes are copied to the end of the first.
struct GuardedPage {
    u8* base = nullptr;
    usize page = 0;
    GuardedPage()
    {
        page = static_cast<usize>(sysconf(_SC_PAGESIZE));
        void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) std::abort();
        base = static_cast<u8*>(p);
        if (mprotect(base + page, page, PROT_NONE) != 0) std::abort();
    }
    const u8* place(const Bytes& bytes)
    {
        u8* at = base + page - bytes.size();
        if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
        return at;
    }
};

GuardedPage& guarded()
{
    static GuardedPage page;
    return page;
}

// Decodes `bytes`, all of them available and not one more readable.
Instruction decode(const Bytes& bytes)
{
    const u8* at = guarded().place(bytes);
    return decode_instruction(bytes.empty() ? nullptr : at, static_cast<u32>(bytes.size()));
}

std::string hex(const Bytes& bytes)
{
    std::string s;
    char b[4];
    for (u8 byte : bytes) {
        std::snprintf(b, sizeof b, "%02X ", byte);
        s += b;
    }
    return s.empty() ? "(none)" : s.substr(0, s.size() - 1);
}

Bytes operator+(Bytes a, const Bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes repeated(u8 byte, usize count) { return Bytes(count, byte); }

// ---- I/O and the one-byte instructions ---------------------------------------

struct IoRow {
    Bytes bytes;
    Kind kind;
    u8 size;
    bool port_in_dx;
    u16 port;
};

void check(const IoRow& row)
{
    SCOPED_TRACE(hex(row.bytes));
    Instruction i = decode(row.bytes);
    EXPECT_EQ(i.kind, row.kind) << instruction_kind_name(i.kind);
    EXPECT_EQ(i.length, row.bytes.size());
    EXPECT_EQ(i.size, row.size);
    EXPECT_EQ(i.register_size, row.size);
    EXPECT_EQ(i.reg, EAX);
    EXPECT_EQ(i.port_in_dx, row.port_in_dx);
    EXPECT_EQ(i.port, row.port); // 0 for the DX forms
    EXPECT_FALSE(i.accesses_memory());
}

const std::vector<IoRow>& io_rows()
{
    static const std::vector<IoRow> rows = {
        {{0xE4, 0x60}, Kind::in, 1, false, 0x60},
        {{0xE5, 0x71}, Kind::in, 4, false, 0x71},
        {{0x66, 0xE5, 0x71}, Kind::in, 2, false, 0x71},
        {{0x66, 0xE4, 0x80}, Kind::in, 1, false, 0x80}, // 0x66 leaves a byte a byte
        {{0xE6, 0x80}, Kind::out, 1, false, 0x80},
        {{0xE7, 0xFF}, Kind::out, 4, false, 0xFF},
        {{0x66, 0xE7, 0x00}, Kind::out, 2, false, 0x00},
        {{0x66, 0xE6, 0xF4}, Kind::out, 1, false, 0xF4},
        {{0xEC}, Kind::in, 1, true, 0},
        {{0xED}, Kind::in, 4, true, 0},
        {{0x66, 0xED}, Kind::in, 2, true, 0},
        {{0x66, 0xEC}, Kind::in, 1, true, 0},
        {{0xEE}, Kind::out, 1, true, 0},
        {{0xEF}, Kind::out, 4, true, 0},
        {{0x66, 0xEF}, Kind::out, 2, true, 0},
        {{0x66, 0xEE}, Kind::out, 1, true, 0},
    };
    return rows;
}

TEST(Instruction, InAndOutEveryForm)
{
    for (const IoRow& row : io_rows()) check(row);
}

TEST(Instruction, InAndOutWithSegmentOverrides)
{
    for (u8 segment : {0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65})
        for (const IoRow& row : io_rows()) {
            IoRow prefixed = row;
            prefixed.bytes = Bytes{segment} + row.bytes;
            check(prefixed);
        }
}

TEST(Instruction, InAndOutWithRepeatedPrefixes)
{
    check({{0x66, 0x66, 0xED}, Kind::in, 2, true, 0});
    check({{0x66, 0x3E, 0x66, 0x64, 0xE7, 0x42}, Kind::out, 2, false, 0x42});
    check({{0x2E, 0x2E, 0x2E, 0xEC}, Kind::in, 1, true, 0});
    check({{0x65, 0x66, 0x26, 0xE5, 0xCF}, Kind::in, 2, false, 0xCF});
}

TEST(Instruction, PortImmediateIsUnsigned)
{
    Instruction i = decode({0xE4, 0xFE});
    EXPECT_EQ(i.port, 0xFEu);
    u32 registers[8] = {};
    registers[EDX] = 0xFFFF1234;
    EXPECT_EQ(instruction_port(i, registers), 0xFEu); // DX does not matter
}

TEST(Instruction, PortInDxComesFromTheLow16BitsOfEdx)
{
    u32 registers[8] = {};
    registers[EDX] = 0xABCD0CFC;
    EXPECT_EQ(instruction_port(decode({0xEC}), registers), 0x0CFCu);
    EXPECT_EQ(instruction_port(decode({0x66, 0xEF}), registers), 0x0CFCu);
}

TEST(Instruction, StringIoIsRecognised)
{
    struct Row {
        Bytes bytes;
        u8 size;
        bool input, repeat;
    };
    const Row rows[] = {
        {{0x6C}, 1, true, false},
        {{0x6D}, 4, true, false},
        {{0x6E}, 1, false, false},
        {{0x6F}, 4, false, false},
        {{0x66, 0x6D}, 2, true, false},
        {{0x66, 0x6F}, 2, false, false},
        {{0x66, 0x6C}, 1, true, false},
        {{0xF3, 0x6C}, 1, true, true},
        {{0xF3, 0x6D}, 4, true, true},
        {{0xF3, 0x6E}, 1, false, true},
        {{0xF3, 0x6F}, 4, false, true},
        {{0xF2, 0x6C}, 1, true, true},
        {{0xF2, 0x6F}, 4, false, true},
        {{0xF3, 0x66, 0x6D}, 2, true, true},
        {{0x66, 0xF3, 0x6F}, 2, false, true},
        {{0x2E, 0xF3, 0x6E}, 1, false, true},   // OUTS honours a segment override
        {{0xF3, 0xF3, 0x6E}, 1, false, true},
        {{0xF2, 0xF3, 0x3E, 0x66, 0x6F}, 2, false, true},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(hex(row.bytes));
        Instruction i = decode(row.bytes);
        EXPECT_EQ(i.kind, Kind::string_io);
        EXPECT_EQ(i.length, row.bytes.size());
        EXPECT_EQ(i.size, row.size);
        EXPECT_TRUE(i.port_in_dx);
        EXPECT_EQ(i.string_input, row.input);
        EXPECT_EQ(i.repeat, row.repeat);
    }
}

TEST(Instruction, CliStiHlt)
{
    struct Row {
        Bytes bytes;
        Kind kind;
    };
    const Row rows[] = {
        {{0xFA}, Kind::cli},
        {{0xFB}, Kind::sti},
        {{0xF4}, Kind::hlt},
        {{0x66, 0xFA}, Kind::cli},
        {{0x3E, 0xFA}, Kind::cli},
        {{0x26, 0x66, 0xFB}, Kind::sti},
        {{0x64, 0xF4}, Kind::hlt},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(hex(row.bytes));
        Instruction i = decode(row.bytes);
        EXPECT_EQ(i.kind, row.kind);
        EXPECT_EQ(i.length, row.bytes.size());
        EXPECT_FALSE(i.accesses_memory());
    }
}

TEST(Instruction, CliIgnoresTheBytesAfterIt)
{
    // A trailing byte (the next instruction) is not part of this one.
    Instruction i = decode({0xFA, 0x0F, 0x0B});
    EXPECT_EQ(i.kind, Kind::cli);
    EXPECT_EQ(i.length, 1u);
    i = decode({0xE4, 0x21, 0xE6, 0xA1});
    EXPECT_EQ(i.kind, Kind::in);
    EXPECT_EQ(i.length, 2u);
}

TEST(Instruction, RepeatOnAnythingButStringIoIsUnsupported)
{
    const Bytes rows[] = {
        {0xF3, 0xFA}, {0xF2, 0xFB}, {0xF3, 0xF4}, {0xF3, 0xEC}, {0xF2, 0xE4, 0x60}, {0xF3, 0xEF},
        {0xF3, 0x89, 0x03}, {0xF2, 0x8B, 0x03}, {0xF3, 0x88, 0x03}, {0xF3, 0x8A, 0x03},
        {0xF3, 0xC6, 0x03, 0x01}, {0xF3, 0xC7, 0x03, 1, 2, 3, 4},
        {0xF3, 0x0F, 0xB6, 0x03}, {0xF2, 0x0F, 0xB7, 0x03}, {0x66, 0xF3, 0x89, 0x03},
    };
    for (const Bytes& bytes : rows) {
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
    }
}

// ---- mov -------------------------------------------------------------------

struct MovRow {
    Bytes bytes;
    Kind kind;
    u8 size, register_size, reg;
    u8 base, index, scale;
    u32 displacement;
    u32 immediate = 0;
};

void check(const MovRow& row)
{
    SCOPED_TRACE(hex(row.bytes));
    Instruction i = decode(row.bytes);
    ASSERT_EQ(i.kind, row.kind) << instruction_kind_name(i.kind);
    EXPECT_EQ(i.length, row.bytes.size());
    EXPECT_EQ(i.size, row.size);
    EXPECT_EQ(i.register_size, row.register_size);
    EXPECT_EQ(i.reg, row.reg); // 0 for C6 and C7 (/0)
    EXPECT_EQ(i.memory.base, row.base);
    EXPECT_EQ(i.memory.index, row.index);
    EXPECT_EQ(i.memory.scale, row.scale);
    EXPECT_EQ(i.memory.displacement, row.displacement);
    EXPECT_EQ(i.immediate, row.immediate);
    EXPECT_TRUE(i.accesses_memory());
    EXPECT_EQ(i.writes_memory(), row.kind == Kind::mov_store_register || row.kind == Kind::mov_store_immediate);
}

const std::vector<MovRow>& mov_rows()
{
    static const std::vector<MovRow> rows = {
        // 88 89: stores from a register.
        {{0x88, 0x03}, Kind::mov_store_register, 1, 1, AL, EBX, NONE, 1, 0},       // mov [ebx], al
        {{0x88, 0x3B}, Kind::mov_store_register, 1, 1, BH, EBX, NONE, 1, 0},       // mov [ebx], bh
        {{0x89, 0x03}, Kind::mov_store_register, 4, 4, EAX, EBX, NONE, 1, 0},      // mov [ebx], eax
        {{0x66, 0x89, 0x0A}, Kind::mov_store_register, 2, 2, ECX, EDX, NONE, 1, 0}, // mov [edx], cx
        {{0x66, 0x88, 0x22}, Kind::mov_store_register, 1, 1, AH, EDX, NONE, 1, 0}, // mov [edx], ah
        {{0x89, 0x7E, 0x10}, Kind::mov_store_register, 4, 4, EDI, ESI, NONE, 1, 0x10}, // mov [esi+0x10], edi
        // 8A 8B: loads.
        {{0x8A, 0x06}, Kind::mov_load, 1, 1, AL, ESI, NONE, 1, 0},
        {{0x8A, 0x2F}, Kind::mov_load, 1, 1, CH, EDI, NONE, 1, 0},                 // mov ch, [edi]
        {{0x8B, 0x40, 0x14}, Kind::mov_load, 4, 4, EAX, EAX, NONE, 1, 0x14},       // mov eax, [eax+0x14]
        {{0x66, 0x8B, 0x50, 0x02}, Kind::mov_load, 2, 2, EDX, EAX, NONE, 1, 2},    // mov dx, [eax+2]
        {{0x66, 0x8A, 0x72, 0xFF}, Kind::mov_load, 1, 1, DH, EDX, NONE, 1, 0xFFFFFFFF}, // mov dh, [edx-1]
        // C6 C7 /0: stores of an immediate.
        {{0xC6, 0x00, 0x5A}, Kind::mov_store_immediate, 1, 1, 0, EAX, NONE, 1, 0, 0x5A},
        {{0xC6, 0x41, 0x08, 0xFF}, Kind::mov_store_immediate, 1, 1, 0, ECX, NONE, 1, 8, 0xFF},
        {{0x66, 0xC6, 0x01, 0x80}, Kind::mov_store_immediate, 1, 1, 0, ECX, NONE, 1, 0, 0x80},
        {{0xC7, 0x02, 0x78, 0x56, 0x34, 0x12}, Kind::mov_store_immediate, 4, 4, 0, EDX, NONE, 1, 0, 0x12345678},
        {{0x66, 0xC7, 0x02, 0x34, 0x12}, Kind::mov_store_immediate, 2, 2, 0, EDX, NONE, 1, 0, 0x1234},
        {{0xC7, 0x83, 0x00, 0x10, 0x00, 0x00, 0xEF, 0xBE, 0xAD, 0xDE}, Kind::mov_store_immediate, 4, 4, 0, EBX,
         NONE, 1, 0x1000, 0xDEADBEEF},
        {{0x66, 0xC7, 0x44, 0x24, 0xFC, 0xFF, 0xFF}, Kind::mov_store_immediate, 2, 2, 0, ESP, NONE, 1, 0xFFFFFFFC,
         0xFFFF},
        // 0F B6, 0F B7: zero-extending loads.
        {{0x0F, 0xB6, 0x03}, Kind::movzx_load, 1, 4, EAX, EBX, NONE, 1, 0},        // movzx eax, byte [ebx]
        {{0x0F, 0xB7, 0x03}, Kind::movzx_load, 2, 4, EAX, EBX, NONE, 1, 0},        // movzx eax, word [ebx]
        {{0x66, 0x0F, 0xB6, 0x0B}, Kind::movzx_load, 1, 2, ECX, EBX, NONE, 1, 0},  // movzx cx, byte [ebx]
        {{0x66, 0x0F, 0xB7, 0x0B}, Kind::movzx_load, 2, 2, ECX, EBX, NONE, 1, 0},  // movzx cx, word [ebx]
        {{0x0F, 0xB6, 0x7A, 0x04}, Kind::movzx_load, 1, 4, EDI, EDX, NONE, 1, 4},  // movzx edi, byte [edx+4]
        {{0x0F, 0xB7, 0x94, 0x8E, 0x00, 0x01, 0x00, 0x00}, Kind::movzx_load, 2, 4, EDX, ESI, ECX, 4, 0x100},
    };
    return rows;
}

TEST(Instruction, MovEveryOpcode)
{
    for (const MovRow& row : mov_rows()) check(row);
}

TEST(Instruction, MovWithEverySegmentOverride)
{
    for (u8 segment : {0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65})
        for (const MovRow& row : mov_rows()) {
            MovRow prefixed = row;
            prefixed.bytes = Bytes{segment} + row.bytes;
            check(prefixed);
        }
}

TEST(Instruction, MovWithPrefixesInAnyOrderAndNumber)
{
    // mov word [fs:ebx], ax, written four ways.
    for (const Bytes& prefixes : {Bytes{0x64, 0x66}, Bytes{0x66, 0x64}, Bytes{0x66, 0x66, 0x64, 0x64},
                                  Bytes{0x3E, 0x66, 0x2E, 0x64}})
        check({prefixes + Bytes{0x89, 0x03}, Kind::mov_store_register, 2, 2, EAX, EBX, NONE, 1, 0});
}

// Every ModRM form: mod 00, 01, 10 with each rm (SIB forms: see below).
TEST(Instruction, EveryModRmForm)
{
    const u32 D8 = 0xFFFFFF80, D32 = 0x87654321;
    const MovRow rows[] = {
        {{0x8B, 0x08}, Kind::mov_load, 4, 4, ECX, EAX, NONE, 1, 0},
        {{0x8B, 0x09}, Kind::mov_load, 4, 4, ECX, ECX, NONE, 1, 0},
        {{0x8B, 0x0A}, Kind::mov_load, 4, 4, ECX, EDX, NONE, 1, 0},
        {{0x8B, 0x0B}, Kind::mov_load, 4, 4, ECX, EBX, NONE, 1, 0},
        {{0x8B, 0x0D, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, NONE, NONE, 1, D32}, // [disp32]
        {{0x8B, 0x0E}, Kind::mov_load, 4, 4, ECX, ESI, NONE, 1, 0},
        {{0x8B, 0x0F}, Kind::mov_load, 4, 4, ECX, EDI, NONE, 1, 0},
        {{0x8B, 0x48, 0x80}, Kind::mov_load, 4, 4, ECX, EAX, NONE, 1, D8},
        {{0x8B, 0x49, 0x80}, Kind::mov_load, 4, 4, ECX, ECX, NONE, 1, D8},
        {{0x8B, 0x4A, 0x80}, Kind::mov_load, 4, 4, ECX, EDX, NONE, 1, D8},
        {{0x8B, 0x4B, 0x80}, Kind::mov_load, 4, 4, ECX, EBX, NONE, 1, D8},
        {{0x8B, 0x4D, 0x80}, Kind::mov_load, 4, 4, ECX, EBP, NONE, 1, D8},
        {{0x8B, 0x4E, 0x80}, Kind::mov_load, 4, 4, ECX, ESI, NONE, 1, D8},
        {{0x8B, 0x4F, 0x7F}, Kind::mov_load, 4, 4, ECX, EDI, NONE, 1, 0x7F},
        {{0x8B, 0x88, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, EAX, NONE, 1, D32},
        {{0x8B, 0x89, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, ECX, NONE, 1, D32},
        {{0x8B, 0x8A, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, EDX, NONE, 1, D32},
        {{0x8B, 0x8B, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, EBX, NONE, 1, D32},
        {{0x8B, 0x8D, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, EBP, NONE, 1, D32},
        {{0x8B, 0x8E, 0x21, 0x43, 0x65, 0x87}, Kind::mov_load, 4, 4, ECX, ESI, NONE, 1, D32},
        {{0x8B, 0x8F, 0x00, 0x00, 0x00, 0x00}, Kind::mov_load, 4, 4, ECX, EDI, NONE, 1, 0},
    };
    for (const MovRow& row : rows) check(row);
}

TEST(Instruction, EveryRegField)
{
    for (u8 reg = 0; reg < 8; reg++) {
        u8 modrm = static_cast<u8>(reg << 3 | 3); // [ebx]
        check({{0x89, modrm}, Kind::mov_store_register, 4, 4, reg, EBX, NONE, 1, 0});
        check({{0x88, modrm}, Kind::mov_store_register, 1, 1, reg, EBX, NONE, 1, 0});
        check({{0x8B, modrm}, Kind::mov_load, 4, 4, reg, EBX, NONE, 1, 0});
        check({{0x66, 0x8B, modrm}, Kind::mov_load, 2, 2, reg, EBX, NONE, 1, 0});
        check({{0x0F, 0xB6, modrm}, Kind::movzx_load, 1, 4, reg, EBX, NONE, 1, 0});
    }
}

TEST(Instruction, SibSpecialForms)
{
    const MovRow rows[] = {
        // mod 00, SIB base 101: no base, disp32.
        {{0x8B, 0x04, 0x85, 0x00, 0x10, 0x00, 0x00}, Kind::mov_load, 4, 4, EAX, NONE, EAX, 4, 0x1000},
        // ... and index 100 too: the address is disp32 alone.
        {{0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12}, Kind::mov_load, 4, 4, EAX, NONE, NONE, 1, 0x12345678},
        // Index 100 is no index, whatever the scale.
        {{0x8B, 0x04, 0x24}, Kind::mov_load, 4, 4, EAX, ESP, NONE, 1, 0},          // [esp]
        {{0x8B, 0x04, 0xE4}, Kind::mov_load, 4, 4, EAX, ESP, NONE, 1, 0},          // [esp], scale bits 11
        {{0x8B, 0x44, 0x24, 0x08}, Kind::mov_load, 4, 4, EAX, ESP, NONE, 1, 8},    // [esp+8]
        {{0x8B, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00}, Kind::mov_load, 4, 4, EAX, ESP, NONE, 1, 0x100},
        // Base 101 with mod 01 or 10 is EBP.
        {{0x8B, 0x44, 0x1D, 0x04}, Kind::mov_load, 4, 4, EAX, EBP, EBX, 1, 4},
        {{0x8B, 0x84, 0x5D, 0x04, 0x00, 0x00, 0x00}, Kind::mov_load, 4, 4, EAX, EBP, EBX, 2, 4},
        // Each scale.
        {{0x89, 0x0C, 0x33}, Kind::mov_store_register, 4, 4, ECX, EBX, ESI, 1, 0},
        {{0x89, 0x0C, 0x73}, Kind::mov_store_register, 4, 4, ECX, EBX, ESI, 2, 0},
        {{0x89, 0x0C, 0xB3}, Kind::mov_store_register, 4, 4, ECX, EBX, ESI, 4, 0},
        {{0x89, 0x0C, 0xF3}, Kind::mov_store_register, 4, 4, ECX, EBX, ESI, 8, 0},
        {{0x89, 0x0C, 0xFD, 0xF0, 0xFF, 0xFF, 0xFF}, Kind::mov_store_register, 4, 4, ECX, NONE, EDI, 8, 0xFFFFFFF0},
        // EBP as an index, ESP as a base.
        {{0x8B, 0x04, 0x2C}, Kind::mov_load, 4, 4, EAX, ESP, EBP, 1, 0},
    };
    for (const MovRow& row : rows) check(row);
}

// All 256 SIB bytes under mod 00, 01 and 10.
TEST(Instruction, EverySibByte)
{
    for (u32 mod = 0; mod < 3; mod++)
        for (u32 sib = 0; sib < 256; sib++) {
            u8 scale_bits = static_cast<u8>(sib >> 6), index = (sib >> 3) & 7, base = sib & 7;
            bool no_base = mod == 0 && base == EBP;
            Bytes bytes = {0x8B, static_cast<u8>(mod << 6 | 2 << 3 | 4), static_cast<u8>(sib)}; // edx, SIB
            u32 displacement = 0;
            if (mod == 1) {
                bytes.push_back(0xF8);
                displacement = 0xFFFFFFF8;
            } else if (mod == 2 || no_base) {
                bytes = bytes + Bytes{0x04, 0x03, 0x02, 0x01};
                displacement = 0x01020304;
            }
            MovRow row{bytes, Kind::mov_load, 4, 4, EDX, no_base ? NONE : base, index == ESP ? NONE : index,
                       static_cast<u8>(index == ESP ? 1 : 1 << scale_bits), displacement};
            check(row);
        }
}

TEST(Instruction, LongestSupportedForms)
{
    // 66 C7 /0 with SIB, disp32 and imm16: 10 bytes; with five prefixes more, 15.
    Bytes core = {0x66, 0xC7, 0x84, 0xC8, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56};
    MovRow row{core, Kind::mov_store_immediate, 2, 2, 0, EAX, ECX, 8, 0x11223344, 0x5678};
    check(row);
    row.bytes = Bytes{0x3E, 0x66, 0x2E, 0x66, 0x26} + core;
    ASSERT_EQ(row.bytes.size(), 15u);
    check(row);
    // C7 /0 with SIB, disp32 and imm32: 11 bytes, plus four prefixes.
    row = {Bytes{0x64, 0x64, 0x64, 0x64, 0xC7, 0x84, 0xC8, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12},
           Kind::mov_store_immediate, 4, 4, 0, EAX, ECX, 8, 0x11223344, 0x12345678};
    check(row);
}

// ---- register operands -------------------------------------------------------

TEST(Instruction, RegisterFormMovIsNotAMemoryOperand)
{
    struct Row {
        Bytes bytes;
        u8 size, register_size, reg;
        u32 immediate;
    };
    const Row rows[] = {
        {{0x89, 0xC3}, 4, 4, EAX, 0},                       // mov ebx, eax
        {{0x88, 0xE0}, 1, 1, AH, 0},                        // mov al, ah
        {{0x8B, 0xD8}, 4, 4, EBX, 0},                       // mov ebx, eax (8B form)
        {{0x8A, 0xFC}, 1, 1, BH, 0},                        // mov bh, ah
        {{0x66, 0x89, 0xC8}, 2, 2, ECX, 0},                 // mov ax, cx
        {{0xC6, 0xC0, 0x12}, 1, 1, 0, 0x12},                // mov al, 0x12
        {{0xC7, 0xC1, 0x78, 0x56, 0x34, 0x12}, 4, 4, 0, 0x12345678},
        {{0x66, 0xC7, 0xC1, 0x34, 0x12}, 2, 2, 0, 0x1234},
        {{0x0F, 0xB6, 0xC1}, 1, 4, EAX, 0},                 // movzx eax, cl
        {{0x66, 0x0F, 0xB7, 0xC1}, 2, 2, EAX, 0},
        {{0x3E, 0x89, 0xFF}, 4, 4, EDI, 0},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(hex(row.bytes));
        Instruction i = decode(row.bytes);
        EXPECT_EQ(i.kind, Kind::not_memory_operand) << instruction_kind_name(i.kind);
        EXPECT_EQ(i.length, row.bytes.size());
        EXPECT_EQ(i.size, row.size);
        EXPECT_EQ(i.register_size, row.register_size);
        EXPECT_EQ(i.reg, row.reg);
        EXPECT_EQ(i.immediate, row.immediate);
        EXPECT_EQ(i.memory.base, NONE);
        EXPECT_EQ(i.memory.index, NONE);
        EXPECT_FALSE(i.accesses_memory());
        EXPECT_FALSE(i.writes_memory());
    }
}

TEST(Instruction, EveryRegisterFormModRmByte)
{
    for (u32 modrm = 0xC0; modrm < 0x100; modrm++)
        for (u8 opcode : {0x88, 0x89, 0x8A, 0x8B}) {
            Bytes bytes = {opcode, static_cast<u8>(modrm)};
            SCOPED_TRACE(hex(bytes));
            Instruction i = decode(bytes);
            EXPECT_EQ(i.kind, Kind::not_memory_operand);
            EXPECT_EQ(i.length, 2u);
            EXPECT_EQ(i.reg, (modrm >> 3) & 7);
        }
}

TEST(Instruction, RegisterFormTruncatedImmediateIsTruncated)
{
    EXPECT_EQ(decode({0xC7, 0xC0, 0x01, 0x02, 0x03}).kind, Kind::truncated);
    EXPECT_EQ(decode({0xC6, 0xC0}).kind, Kind::truncated);
}

// ---- unsupported -------------------------------------------------------------

TEST(Instruction, OtherOpcodesAreUnsupported)
{
    const Bytes rows[] = {
        {0x00, 0x00},             // add [eax], al
        {0x90},                   // nop
        {0xCC},                   // int3
        {0xCD, 0x80},             // int 0x80
        {0x0F, 0x0B},             // ud2
        {0x0F, 0x01, 0xD9},       // vmmcall
        {0x0F, 0x20, 0xC0},       // mov eax, cr0
        {0x0F, 0xBE, 0x03},       // movsx: not decoded
        {0x0F, 0xBF, 0x03},
        {0x0F, 0xB8, 0x03},
        {0x0F, 0xB5, 0x03},       // lgs
        {0xA1, 0x00, 0x10, 0x00, 0x00}, // mov eax, [moffs32]: not decoded
        {0xA3, 0x00, 0x10, 0x00, 0x00},
        {0x8C, 0xD8},             // mov eax, ds
        {0x8E, 0xD8},             // mov ds, eax
        {0x8D, 0x03},             // lea
        {0x87, 0x03},             // xchg
        {0x86, 0x03},
        {0x84, 0x03},             // test
        {0x85, 0x03},
        {0xA4},                   // movsb
        {0xF3, 0xA5},             // rep movsd
        {0xF3, 0xAA},             // rep stosb
        {0xFF, 0x03},             // inc dword [ebx]
        {0xCF},                   // iret
        {0xF5}, {0xF1}, {0xD6}, {0xC8, 0, 0, 0}, {0x62, 0x03},
        {0xFC}, {0xFD}, {0x9C}, {0x9D}, {0xEA, 0, 0, 0, 0, 0, 0},
    };
    for (const Bytes& bytes : rows) {
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
    }
}

TEST(Instruction, EveryUnlistedOneByteOpcodeIsUnsupported)
{
    const std::set<u8> known = {0x6C, 0x6D, 0x6E, 0x6F, 0xE4, 0xE5, 0xE6, 0xE7, 0xEC, 0xED, 0xEE, 0xEF,
                                0xFA, 0xFB, 0xF4, 0x88, 0x89, 0x8A, 0x8B, 0xC6, 0xC7, 0x0F,
                                0x66, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0xF2, 0xF3};
    for (u32 opcode = 0; opcode < 256; opcode++) {
        if (known.count(static_cast<u8>(opcode))) continue;
        // Fifteen bytes: whatever would follow, the first one decides.
        Bytes bytes = Bytes{static_cast<u8>(opcode)} + repeated(0x00, 14);
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
        EXPECT_EQ(decode({static_cast<u8>(opcode)}).kind, Kind::unsupported); // and alone
    }
}

TEST(Instruction, EveryTwoByteOpcodeButMovzxIsUnsupported)
{
    for (u32 second = 0; second < 256; second++) {
        if (second == 0xB6 || second == 0xB7) continue;
        Bytes bytes = {0x0F, static_cast<u8>(second), 0x03, 0x00, 0x00, 0x00, 0x00};
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
        EXPECT_EQ(decode({0x0F, static_cast<u8>(second)}).kind, Kind::unsupported);
    }
}

TEST(Instruction, AddressSizePrefixIsUnsupported)
{
    const Bytes rows[] = {
        {0x67, 0x8B, 0x07},       // mov eax, [bx]
        {0x67, 0x89, 0x07},
        {0x67, 0xC6, 0x07, 0x01},
        {0x67, 0x0F, 0xB6, 0x07},
        {0x66, 0x67, 0x8B, 0x07},
        {0x3E, 0x67, 0x89, 0x07},
        {0x67, 0xEC},
        {0x67, 0xE4, 0x60},
        {0x67, 0xF3, 0x6C},
        {0x67, 0xFA},
        {0x67},                   // decided at once, not truncated
    };
    for (const Bytes& bytes : rows) {
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
    }
}

TEST(Instruction, LockIsUnsupported)
{
    const Bytes rows[] = {
        {0xF0, 0x89, 0x03}, {0xF0, 0x8B, 0x03}, {0xF0, 0xC7, 0x03, 1, 2, 3, 4}, {0x66, 0xF0, 0x89, 0x03},
        {0xF0, 0xFA}, {0xF0, 0xEC}, {0xF0},
    };
    for (const Bytes& bytes : rows) {
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
    }
}

TEST(Instruction, MovImmediateWithANonZeroRegFieldIsUnsupported)
{
    for (u8 reg = 1; reg < 8; reg++)
        for (u8 opcode : {0xC6, 0xC7})
            for (u8 mod : {0, 1, 2, 3}) {
                // Only the opcode and ModRM: the verdict comes before any missing byte.
                Bytes bytes = {opcode, static_cast<u8>(mod << 6 | reg << 3 | 3)};
                SCOPED_TRACE(hex(bytes));
                EXPECT_EQ(decode(bytes).kind, Kind::unsupported);
                EXPECT_EQ(decode(bytes + repeated(0, 8)).kind, Kind::unsupported);
            }
    // xabort and xbegin are C6 F8 and C7 F8.
    EXPECT_EQ(decode({0xC6, 0xF8, 0x01}).kind, Kind::unsupported);
    EXPECT_EQ(decode({0xC7, 0xF8, 0x00, 0x00, 0x00, 0x00}).kind, Kind::unsupported);
}

TEST(Instruction, UnsupportedIsDecidedBeforeMissingBytes)
{
    // A bad opcode after prefixes, with nothing after it.
    EXPECT_EQ(decode({0x66, 0x3E, 0x90}).kind, Kind::unsupported);
    // A REP before a mov is refused at the opcode, before its ModRM.
    EXPECT_EQ(decode({0xF3, 0x89}).kind, Kind::unsupported);
    EXPECT_EQ(decode({0xF3, 0x0F, 0xB6}).kind, Kind::unsupported);
    // A bad second opcode byte.
    EXPECT_EQ(decode({0x0F, 0x05}).kind, Kind::unsupported);
}

TEST(Instruction, UnsupportedAndTruncatedHaveNoLength)
{
    EXPECT_EQ(decode({0x90}).length, 0u);
    EXPECT_EQ(decode({0x8B}).length, 0u);
    EXPECT_EQ(decode({0x66, 0x66}).length, 0u);
}

// ---- truncation and the 15-byte limit ------------------------------------------

TEST(Instruction, NothingAvailableIsTruncated)
{
    EXPECT_EQ(decode_instruction(nullptr, 0).kind, Kind::truncated);
    EXPECT_EQ(decode(Bytes{}).kind, Kind::truncated);
}

TEST(Instruction, PrefixesAloneAreTruncated)
{
    for (const Bytes& bytes : {Bytes{0x66}, Bytes{0x3E}, Bytes{0xF3}, Bytes{0xF2}, Bytes{0x66, 0x2E, 0xF3, 0x64},
                               Bytes{0x0F}, Bytes{0x66, 0x0F}})
    {
        SCOPED_TRACE(hex(bytes));
        EXPECT_EQ(decode(bytes).kind, Kind::truncated);
    }
}

// Every proper prefix of every instruction the decoder accepts reports
// truncated, never unsupported and never a shorter instruction.
void expect_every_cut_truncated(const Bytes& bytes)
{
    for (usize cut = 0; cut < bytes.size(); cut++) {
        Bytes part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
        SCOPED_TRACE(hex(bytes) + " cut to " + std::to_string(cut));
        EXPECT_EQ(decode(part).kind, Kind::truncated);
    }
}

TEST(Instruction, EveryCutOfALongInstructionIsTruncated)
{
    Bytes longest = {0x3E, 0x66, 0x2E, 0x66, 0x26, 0x66, 0xC7, 0x84, 0xC8, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56};
    ASSERT_EQ(decode(longest).kind, Kind::mov_store_immediate);
    expect_every_cut_truncated(longest);
    expect_every_cut_truncated({0x64, 0xC7, 0x84, 0xC8, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12});
    expect_every_cut_truncated({0x65, 0x66, 0x0F, 0xB7, 0x94, 0x8E, 0x00, 0x01, 0x00, 0x00});
    expect_every_cut_truncated({0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12});
}

TEST(Instruction, EveryCutOfEveryAcceptedInstructionIsTruncated)
{
    for (const IoRow& row : io_rows()) expect_every_cut_truncated(row.bytes);
    for (const MovRow& row : mov_rows()) expect_every_cut_truncated(row.bytes);
    expect_every_cut_truncated({0xF3, 0x66, 0x6D});
    expect_every_cut_truncated({0x66, 0xFA});
    expect_every_cut_truncated({0x66, 0xC7, 0xC1, 0x34, 0x12}); // register form too
}

TEST(Instruction, FifteenBytesAreAllowed)
{
    Instruction i = decode(repeated(0x66, 14) + Bytes{0xFA});
    EXPECT_EQ(i.kind, Kind::cli);
    EXPECT_EQ(i.length, 15u);
    i = decode(repeated(0x3E, 13) + Bytes{0xE4, 0x60});
    EXPECT_EQ(i.kind, Kind::in);
    EXPECT_EQ(i.length, 15u);
    EXPECT_EQ(i.port, 0x60u);
    i = decode(repeated(0x66, 12) + Bytes{0x89, 0x43, 0x04});
    EXPECT_EQ(i.kind, Kind::mov_store_register);
    EXPECT_EQ(i.length, 15u);
    EXPECT_EQ(i.size, 2u);
    i = decode(repeated(0xF3, 14) + Bytes{0x6C});
    EXPECT_EQ(i.kind, Kind::string_io);
    EXPECT_EQ(i.length, 15u);
}

TEST(Instruction, SixteenBytesAreUnsupportedNotTruncated)
{
    // Sixteen bytes given: the CPU would raise #GP.
    EXPECT_EQ(decode(repeated(0x66, 15) + Bytes{0xFA}).kind, Kind::unsupported);
    EXPECT_EQ(decode(repeated(0x3E, 14) + Bytes{0xE4, 0x60}).kind, Kind::unsupported);
    EXPECT_EQ(decode(repeated(0x66, 13) + Bytes{0x89, 0x43, 0x04}).kind, Kind::unsupported);
    EXPECT_EQ(decode(repeated(0x3E, 5) + Bytes{0xC7, 0x84, 0xC8, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12})
                  .kind,
              Kind::unsupported);
    // Fifteen prefixes and nothing more: no continuation fits in 15 bytes,
    // so this is unsupported although the bytes ran out.
    EXPECT_EQ(decode(repeated(0x66, 15)).kind, Kind::unsupported);
    EXPECT_EQ(decode(repeated(0x2E, 15)).kind, Kind::unsupported);
    // Fourteen prefixes and an opcode that needs more: unsupported too
    // (byte 16 would be needed), whether or not more are available.
    EXPECT_EQ(decode(repeated(0x66, 14) + Bytes{0xE4}).kind, Kind::unsupported);
    EXPECT_EQ(decode(repeated(0x66, 13) + Bytes{0x8B, 0x44}).kind, Kind::unsupported);
    // But fourteen prefixes alone may still become a one-byte instruction.
    EXPECT_EQ(decode(repeated(0x66, 14)).kind, Kind::truncated);
}

TEST(Instruction, NoByteBeyondTheFifteenthIsRead)
{
    // Fifteen bytes before the inaccessible page, but a larger count given:
    // the decoder must stop at 15 by itself.
    for (const Bytes& bytes : {repeated(0x66, 15), repeated(0xF3, 15), repeated(0x66, 14) + Bytes{0xE5}}) {
        const u8* at = guarded().place(bytes);
        EXPECT_EQ(decode_instruction(at, 4096).kind, Kind::unsupported);
    }
    Bytes fifteen = repeated(0x66, 14) + Bytes{0xFA};
    Instruction i = decode_instruction(guarded().place(fifteen), 1000);
    EXPECT_EQ(i.kind, Kind::cli);
    EXPECT_EQ(i.length, 15u);
}

TEST(Instruction, FewerBytesAvailableThanThePointerHolds)
{
    // Only `available` counts, even when more bytes are there.
    Bytes mov = {0x8B, 0x83, 0x00, 0x10, 0x00, 0x00};
    for (u32 n = 0; n < mov.size(); n++) EXPECT_EQ(decode_instruction(mov.data(), n).kind, Kind::truncated);
    EXPECT_EQ(decode_instruction(mov.data(), static_cast<u32>(mov.size())).kind, Kind::mov_load);
}

// ---- addresses and registers -----------------------------------------------------

struct Registers {
    u32 r[8] = {0x11111100, 0x22222200, 0x33333300, 0x44444400, 0x55555500, 0x66666600, 0x77777700, 0x88888800};
};

TEST(Instruction, EffectiveAddress)
{
    Registers g;
    struct Row {
        Bytes bytes;
        u32 address;
    };
    const Row rows[] = {
        {{0x8B, 0x03}, 0x44444400},                                      // [ebx]
        {{0x8B, 0x43, 0x10}, 0x44444410},                                // [ebx+0x10]
        {{0x8B, 0x43, 0xF0}, 0x444443F0},                                // [ebx-0x10]
        {{0x8B, 0x83, 0x00, 0x00, 0x01, 0x00}, 0x44454400},              // [ebx+0x10000]
        {{0x8B, 0x05, 0x00, 0x00, 0xD0, 0xFE}, 0xFED00000},              // [0xFED00000]
        {{0x8B, 0x04, 0x24}, 0x55555500},                                // [esp]
        {{0x8B, 0x44, 0x24, 0x04}, 0x55555504},                          // [esp+4]
        {{0x8B, 0x45, 0x08}, 0x66666608},                                // [ebp+8]
        {{0x8B, 0x04, 0x0B}, 0x44444400 + 0x22222200},                   // [ebx+ecx]
        {{0x8B, 0x04, 0x4B}, 0x44444400 + 2 * 0x22222200u},               // [ebx+ecx*2]
        {{0x8B, 0x44, 0x8B, 0x0C}, 0x44444400 + 4 * 0x22222200u + 12},   // [ebx+ecx*4+12]
        {{0x8B, 0x04, 0xF5, 0x10, 0x00, 0x00, 0x00}, 8 * 0x77777700u + 0x10}, // [esi*8+0x10]
        {{0x8B, 0x04, 0x25, 0x34, 0x12, 0x00, 0x00}, 0x1234},            // [0x1234]
        {{0x8B, 0x04, 0xE0}, 0x11111100},                                // [eax], index none, scale 8
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(hex(row.bytes));
        Instruction i = decode(row.bytes);
        ASSERT_EQ(i.kind, Kind::mov_load);
        EXPECT_EQ(i.memory.address(g.r), row.address);
    }
}

TEST(Instruction, EffectiveAddressWrapsAround)
{
    u32 r[8] = {};
    r[EAX] = 2;
    EXPECT_EQ(decode({0x8B, 0x40, 0xFC}).memory.address(r), 0xFFFFFFFEu); // [eax-4]
    r[EBX] = 0xFFFFFFF0;
    r[ECX] = 0x10;
    EXPECT_EQ(decode({0x8B, 0x04, 0x8B}).memory.address(r), 0x30u);       // [ebx+ecx*4]
    r[EDX] = 0x80000000;
    EXPECT_EQ(decode({0x8B, 0x84, 0x52, 0x01, 0x00, 0x00, 0x80}).memory.address(r),
              1u);                                                      // [edx+edx*2+0x80000001]
}

TEST(Instruction, ReadRegisterWidths)
{
    u32 r[8] = {0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00, 0xA1A2A3A4, 0xB1B2B3B4, 0xC1C2C3C4, 0xD1D2D3D4};
    EXPECT_EQ(read_register(r, EAX, 4), 0x11223344u);
    EXPECT_EQ(read_register(r, EAX, 2), 0x3344u);
    EXPECT_EQ(read_register(r, AL, 1), 0x44u);
    EXPECT_EQ(read_register(r, CL, 1), 0x88u);
    EXPECT_EQ(read_register(r, DL, 1), 0xCCu);
    EXPECT_EQ(read_register(r, BL, 1), 0x00u);
    EXPECT_EQ(read_register(r, AH, 1), 0x33u); // not ESP's low byte
    EXPECT_EQ(read_register(r, CH, 1), 0x77u);
    EXPECT_EQ(read_register(r, DH, 1), 0xBBu);
    EXPECT_EQ(read_register(r, BH, 1), 0xFFu);
    EXPECT_EQ(read_register(r, ESP, 2), 0xA3A4u); // SP, BP, SI, DI are themselves at size 2
    EXPECT_EQ(read_register(r, EDI, 4), 0xD1D2D3D4u);
}

TEST(Instruction, WriteRegisterKeepsTheOtherBytes)
{
    u32 r[8] = {0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00, 0xA1A2A3A4, 0xB1B2B3B4, 0xC1C2C3C4, 0xD1D2D3D4};
    write_register(r, AL, 1, 0xFFFFFF01);
    EXPECT_EQ(r[EAX], 0x11223301u);
    write_register(r, AH, 1, 0x02);
    EXPECT_EQ(r[EAX], 0x11220201u);
    EXPECT_EQ(r[ESP], 0xA1A2A3A4u); // AH is not ESP
    write_register(r, BH, 1, 0xEE);
    EXPECT_EQ(r[EBX], 0xDDEEEE00u);
    EXPECT_EQ(r[EDI], 0xD1D2D3D4u);
    write_register(r, CH, 1, 0x12);
    write_register(r, DH, 1, 0x34);
    EXPECT_EQ(r[ECX], 0x55661288u);
    EXPECT_EQ(r[EDX], 0x99AA34CCu);
    write_register(r, ESI, 2, 0xABCD1234);
    EXPECT_EQ(r[ESI], 0xC1C21234u);
    write_register(r, EBP, 4, 0x0BADF00D);
    EXPECT_EQ(r[EBP], 0x0BADF00Du);
}

TEST(Instruction, StoredValues)
{
    u32 r[8] = {0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00, 0xA1A2A3A4, 0xB1B2B3B4, 0xC1C2C3C4, 0xD1D2D3D4};
    EXPECT_EQ(value_to_store(decode({0x88, 0x3E}), r), 0xFFu);        // mov [esi], bh
    EXPECT_EQ(value_to_store(decode({0x88, 0x26}), r), 0x33u);        // mov [esi], ah
    EXPECT_EQ(value_to_store(decode({0x88, 0x1E}), r), 0x00u);        // mov [esi], bl
    EXPECT_EQ(value_to_store(decode({0x66, 0x89, 0x0E}), r), 0x7788u); // mov [esi], cx
    EXPECT_EQ(value_to_store(decode({0x89, 0x26}), r), 0xA1A2A3A4u);  // mov [esi], esp
    EXPECT_EQ(value_to_store(decode({0xC6, 0x06, 0x9C}), r), 0x9Cu);
    EXPECT_EQ(value_to_store(decode({0x66, 0xC7, 0x06, 0x34, 0x12}), r), 0x1234u);
    EXPECT_EQ(value_to_store(decode({0xEE}), r), 0x44u);              // out dx, al
    EXPECT_EQ(value_to_store(decode({0x66, 0xEF}), r), 0x3344u);      // out dx, ax
    EXPECT_EQ(value_to_store(decode({0xE7, 0x80}), r), 0x11223344u);  // out 0x80, eax
}

TEST(Instruction, CompletedLoads)
{
    const u32 start[8] = {0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00, 0xA1A2A3A4, 0xB1B2B3B4, 0xC1C2C3C4,
                          0xD1D2D3D4};
    struct Row {
        Bytes bytes;
        u32 value;
        u8 changed;
        u32 expected;
    };
    const Row rows[] = {
        {{0xEC}, 0xFFFFFF5A, EAX, 0x1122335A},               // in al, dx
        {{0x66, 0xED}, 0xFFFFBEEF, EAX, 0x1122BEEF},         // in ax, dx
        {{0xED}, 0xCAFEBABE, EAX, 0xCAFEBABE},               // in eax, dx
        {{0xE4, 0x71}, 0x01, EAX, 0x11223301},
        {{0x8A, 0x26}, 0x7E, EAX, 0x11227E44},               // mov ah, [esi]
        {{0x8A, 0x3E}, 0x1FF, EBX, 0xDDEEFF00},              // mov bh, [esi]: one byte only
        {{0x8A, 0x2E}, 0x00, ECX, 0x55660088},               // mov ch, [esi]
        {{0x8A, 0x36}, 0xAB, EDX, 0x99AAABCC},               // mov dh, [esi]
        {{0x8A, 0x1E}, 0xAB, EBX, 0xDDEEFFAB},               // mov bl, [esi]
        {{0x66, 0x8B, 0x26}, 0x12345678, ESP, 0xA1A25678},   // mov sp, [esi]
        {{0x8B, 0x3E}, 0x12345678, EDI, 0x12345678},         // mov edi, [esi]
        {{0x0F, 0xB6, 0x06}, 0xFFFFFF80, EAX, 0x00000080},   // movzx eax, byte [esi]
        {{0x0F, 0xB7, 0x1E}, 0xFFFF8000, EBX, 0x00008000},   // movzx ebx, word [esi]
        {{0x66, 0x0F, 0xB6, 0x0E}, 0x80, ECX, 0x55660080},   // movzx cx, byte [esi]
        {{0x66, 0x0F, 0xB7, 0x0E}, 0xFFFF, ECX, 0x5566FFFF}, // movzx cx, word [esi]
        {{0x0F, 0xB6, 0x26}, 0xC3, ESP, 0x000000C3},         // movzx esp, byte [esi]: reg 4 is ESP here
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(hex(row.bytes));
        u32 r[8];
        std::memcpy(r, start, sizeof r);
        Instruction i = decode(row.bytes);
        ASSERT_NE(i.kind, Kind::unsupported);
        complete_load(i, r, row.value);
        for (u8 n = 0; n < 8; n++) EXPECT_EQ(r[n], n == row.changed ? row.expected : start[n]) << "register " << int(n);
    }
}

TEST(Instruction, RegistersFromAndToTheTrapFrame)
{
    TrapFrame frame{};
    frame.eax = 1, frame.ecx = 2, frame.edx = 3, frame.ebx = 4, frame.esp_unused = 0xDEAD, frame.esp = 5;
    frame.ebp = 6, frame.esi = 7, frame.edi = 8;
    u32 r[8];
    registers_from_frame(frame, r);
    for (u32 n = 0; n < 8; n++) EXPECT_EQ(r[n], n + 1);
    // mov [esp+4], eax: ESP is the guest's, not pushal's.
    EXPECT_EQ(decode({0x89, 0x44, 0x24, 0x04}).memory.address(r), 9u);
    complete_load(decode({0x8A, 0x3B}), r, 0xAA);      // mov bh, [ebx]
    complete_load(decode({0x8B, 0x23}), r, 0x7000);    // mov esp, [ebx]
    registers_to_frame(r, frame);
    EXPECT_EQ(frame.ebx, 0xAA04u);
    EXPECT_EQ(frame.esp, 0x7000u);
    EXPECT_EQ(frame.esp_unused, 0xDEADu);
    EXPECT_EQ(frame.eax, 1u);
    EXPECT_EQ(frame.edi, 8u);
}

TEST(Instruction, KindNamesAreDistinct)
{
    std::set<std::string> names;
    for (u32 k = 0; k <= static_cast<u32>(Kind::not_memory_operand); k++) {
        const char* name = instruction_kind_name(static_cast<Kind>(k));
        ASSERT_NE(name, nullptr);
        EXPECT_NE(std::string(name), "?");
        names.insert(name);
    }
    EXPECT_EQ(names.size(), static_cast<usize>(Kind::not_memory_operand) + 1);
    EXPECT_STREQ(instruction_kind_name(Kind::string_io), "string I/O");
}

// Bytes a guest might really run, as an assembler writes them (Linux's
// MMIO accessors and port I/O, a few of each).
TEST(Instruction, RealWorldEncodings)
{
    check({{0x8B, 0x00}, Kind::mov_load, 4, 4, EAX, EAX, NONE, 1, 0});              // readl: mov eax, [eax]
    check({{0x89, 0x10}, Kind::mov_store_register, 4, 4, EDX, EAX, NONE, 1, 0});    // writel: mov [eax], edx
    check({{0x88, 0x10}, Kind::mov_store_register, 1, 1, DL, EAX, NONE, 1, 0});     // writeb: mov [eax], dl
    check({{0x66, 0x89, 0x10}, Kind::mov_store_register, 2, 2, EDX, EAX, NONE, 1, 0}); // writew
    check({{0x0F, 0xB6, 0x00}, Kind::movzx_load, 1, 4, EAX, EAX, NONE, 1, 0});      // readb
    check({{0x0F, 0xB7, 0x40, 0x12}, Kind::movzx_load, 2, 4, EAX, EAX, NONE, 1, 0x12}); // readw at +0x12
    check({{0x8B, 0x82, 0x00, 0x30, 0x00, 0x00}, Kind::mov_load, 4, 4, EAX, EDX, NONE, 1, 0x3000});
    check({{0x8A, 0x40, 0x14}, Kind::mov_load, 1, 1, AL, EAX, NONE, 1, 0x14});
    check({{0xC7, 0x40, 0x14, 0x00, 0x00, 0x00, 0x00}, Kind::mov_store_immediate, 4, 4, 0, EAX, NONE, 1, 0x14, 0});
    check({{0xC6, 0x40, 0x14, 0x0F}, Kind::mov_store_immediate, 1, 1, 0, EAX, NONE, 1, 0x14, 0x0F});
    check(IoRow{{0xEF}, Kind::out, 4, true, 0});   // outl: out dx, eax (PCI 0xCF8)
    check(IoRow{{0xE6, 0x80}, Kind::out, 1, false, 0x80}); // outb to the POST port
}


// ---- fields, one at a time ---------------------------------------------------------

TEST(Instruction, EveryDisp8IsSignExtended)
{
    for (u32 d = 0; d < 256; d++) {
        Instruction i = decode({0x8B, 0x43, static_cast<u8>(d)}); // mov eax, [ebx+d8]
        ASSERT_EQ(i.kind, Kind::mov_load);
        EXPECT_EQ(i.memory.displacement, static_cast<u32>(static_cast<i32>(static_cast<i8>(d)))) << d;
        EXPECT_EQ(i.length, 3u);
    }
}

TEST(Instruction, Disp32IsLittleEndian)
{
    EXPECT_EQ(decode({0x8B, 0x83, 0x01, 0x02, 0x03, 0x04}).memory.displacement, 0x04030201u);
    EXPECT_EQ(decode({0x8B, 0x83, 0xFF, 0xFF, 0xFF, 0xFF}).memory.displacement, 0xFFFFFFFFu);
    EXPECT_EQ(decode({0x8B, 0x05, 0x00, 0x00, 0x00, 0x80}).memory.displacement, 0x80000000u);
}

TEST(Instruction, ImmediatesAreZeroExtended)
{
    EXPECT_EQ(decode({0xC6, 0x03, 0x80}).immediate, 0x80u);
    EXPECT_EQ(decode({0xC6, 0x03, 0xFF}).immediate, 0xFFu);
    EXPECT_EQ(decode({0x66, 0xC7, 0x03, 0x00, 0x80}).immediate, 0x8000u);
    EXPECT_EQ(decode({0xC7, 0x03, 0x00, 0x00, 0x00, 0x80}).immediate, 0x80000000u);
}

TEST(Instruction, OperandSizePrefixDoesNotChangeAddressing)
{
    // 0x66 makes the operand 16-bit; the displacement stays 32-bit.
    Instruction i = decode({0x66, 0x8B, 0x05, 0x00, 0x00, 0xD0, 0xFE});
    ASSERT_EQ(i.kind, Kind::mov_load);
    EXPECT_EQ(i.length, 7u);
    EXPECT_EQ(i.size, 2u);
    EXPECT_EQ(i.memory.base, NONE);
    EXPECT_EQ(i.memory.displacement, 0xFED00000u);
    i = decode({0x66, 0xC7, 0x80, 0x10, 0x00, 0x00, 0x00, 0xCD, 0xAB}); // mov word [eax+0x10], 0xABCD
    ASSERT_EQ(i.kind, Kind::mov_store_immediate);
    EXPECT_EQ(i.length, 9u);
    EXPECT_EQ(i.memory.displacement, 0x10u);
    EXPECT_EQ(i.immediate, 0xABCDu);
}

TEST(Instruction, EveryBaseAndIndexPair)
{
    Registers g;
    for (u8 base = 0; base < 8; base++)
        for (u8 index = 0; index < 8; index++)
            for (u8 scale_bits = 0; scale_bits < 4; scale_bits++) {
                // mov eax, [base + index * scale + 0x40] (mod 01 so base 101 is EBP)
                Bytes bytes = {0x8B, 0x44, static_cast<u8>(scale_bits << 6 | index << 3 | base), 0x40};
                SCOPED_TRACE(hex(bytes));
                Instruction i = decode(bytes);
                ASSERT_EQ(i.kind, Kind::mov_load);
                u32 expected = g.r[base] + 0x40;
                if (index != ESP) expected += g.r[index] << scale_bits;
                EXPECT_EQ(i.memory.address(g.r), expected);
            }
}

TEST(Instruction, EveryMemoryModRmByteOfEachMov)
{
    // Lengths by mod and rm alone (SIB byte 0x00 when rm is 100: [eax+eax]).
    for (u8 opcode : {0x88, 0x89, 0x8A, 0x8B})
        for (u32 modrm = 0; modrm < 0xC0; modrm++) {
            u8 mod = static_cast<u8>(modrm >> 6), rm = modrm & 7;
            Bytes bytes = {opcode, static_cast<u8>(modrm)};
            if (rm == 4) bytes.push_back(0x00);
            if (mod == 1) bytes.push_back(0x01);
            if (mod == 2 || (mod == 0 && rm == 5)) bytes = bytes + Bytes{0x01, 0x00, 0x00, 0x00};
            SCOPED_TRACE(hex(bytes));
            Instruction i = decode(bytes);
            EXPECT_TRUE(i.accesses_memory());
            EXPECT_EQ(i.length, bytes.size());
            EXPECT_EQ(i.reg, (modrm >> 3) & 7);
            EXPECT_EQ(i.memory.displacement, mod == 0 && rm != 5 ? 0u : 1u);
            expect_every_cut_truncated(bytes);
        }
}

TEST(Instruction, EveryMemoryModRmByteOfMovImmediate)
{
    for (u8 opcode : {0xC6, 0xC7})
        for (u8 mod = 0; mod < 3; mod++)
            for (u8 rm = 0; rm < 8; rm++) {
                Bytes bytes = {opcode, static_cast<u8>(mod << 6 | rm)};
                if (rm == 4) bytes.push_back(0x24); // [esp]
                if (mod == 1) bytes.push_back(0x08);
                if (mod == 2 || (mod == 0 && rm == 5)) bytes = bytes + Bytes{0x08, 0x00, 0x00, 0x00};
                bytes = bytes + (opcode == 0xC6 ? Bytes{0xA5} : Bytes{0xA5, 0xA5, 0xA5, 0xA5});
                SCOPED_TRACE(hex(bytes));
                Instruction i = decode(bytes);
                ASSERT_EQ(i.kind, Kind::mov_store_immediate);
                EXPECT_EQ(i.length, bytes.size());
                EXPECT_EQ(i.immediate, opcode == 0xC6 ? 0xA5u : 0xA5A5A5A5u);
                EXPECT_EQ(i.memory.displacement, mod == 0 && rm != 5 ? 0u : 8u);
                expect_every_cut_truncated(bytes);
            }
}

TEST(Instruction, EveryMemoryModRmByteOfMovzx)
{
    for (u8 second : {0xB6, 0xB7})
        for (u32 modrm = 0; modrm < 0xC0; modrm++) {
            u8 mod = static_cast<u8>(modrm >> 6), rm = modrm & 7;
            Bytes bytes = {0x0F, second, static_cast<u8>(modrm)};
            if (rm == 4) bytes.push_back(0x00);
            if (mod == 1) bytes.push_back(0x01);
            if (mod == 2 || (mod == 0 && rm == 5)) bytes = bytes + Bytes{0x01, 0x00, 0x00, 0x00};
            SCOPED_TRACE(hex(bytes));
            Instruction i = decode(bytes);
            ASSERT_EQ(i.kind, Kind::movzx_load);
            EXPECT_EQ(i.length, bytes.size());
            EXPECT_EQ(i.size, second == 0xB6 ? 1u : 2u);
            EXPECT_EQ(i.register_size, 4u);
        }
}

TEST(Instruction, MemoryPredicates)
{
    EXPECT_TRUE(decode({0x89, 0x03}).writes_memory());
    EXPECT_TRUE(decode({0xC6, 0x03, 0x00}).writes_memory());
    EXPECT_FALSE(decode({0x8B, 0x03}).writes_memory());
    EXPECT_TRUE(decode({0x8B, 0x03}).accesses_memory());
    EXPECT_FALSE(decode({0x0F, 0xB6, 0x03}).writes_memory());
    EXPECT_TRUE(decode({0x0F, 0xB6, 0x03}).accesses_memory());
    for (const Bytes& bytes : {Bytes{0xEC}, Bytes{0xEE}, Bytes{0x6C}, Bytes{0xFA}, Bytes{0xFB}, Bytes{0xF4},
                               Bytes{0x90}, Bytes{0x8B}, Bytes{0x89, 0xC0}}) {
        SCOPED_TRACE(hex(bytes));
        EXPECT_FALSE(decode(bytes).accesses_memory());
        EXPECT_FALSE(decode(bytes).writes_memory());
    }
}

TEST(Instruction, StringIoDoesNotRepeatWithoutAPrefix)
{
    for (u8 opcode : {0x6C, 0x6D, 0x6E, 0x6F}) {
        Instruction i = decode({opcode});
        EXPECT_FALSE(i.repeat);
        EXPECT_EQ(i.length, 1u);
        EXPECT_EQ(i.port, 0u);
    }
}

TEST(Instruction, SegmentOverridesOnEveryOneByteInstruction)
{
    for (u8 segment : {0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65}) {
        EXPECT_EQ(decode({segment, 0xFA}).kind, Kind::cli);
        EXPECT_EQ(decode({segment, 0xFB}).kind, Kind::sti);
        EXPECT_EQ(decode({segment, 0xF4}).kind, Kind::hlt);
        EXPECT_EQ(decode({segment, 0x6E}).kind, Kind::string_io);
        EXPECT_EQ(decode({segment, 0x0F, 0xB7, 0x03}).kind, Kind::movzx_load);
        EXPECT_EQ(decode({segment}).kind, Kind::truncated);
    }
}

// ---- properties over many byte strings -------------------------------------------

// A small fixed generator: the same strings on every run.
struct Generator {
    u32 state = 0x2545F491;
    u8 next()
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return static_cast<u8>(state);
    }
};

// Bytes biased towards what the decoder knows, so that many decode.
Bytes random_instruction(Generator& g)
{
    static const u8 interesting[] = {0x66, 0x3E, 0x64, 0xF3, 0x67, 0xF0, 0x0F, 0xB6, 0xB7, 0x88, 0x89, 0x8A,
                                     0x8B, 0xC6, 0xC7, 0xE4, 0xE5, 0xEC, 0xEF, 0x6C, 0x6F, 0xFA, 0x04, 0x44,
                                     0x84, 0x05, 0x24, 0x25, 0xC0};
    Bytes b(15);
    for (u8& byte : b) byte = (g.next() & 1) ? interesting[g.next() % sizeof interesting] : g.next();
    return b;
}

bool same(const Instruction& a, const Instruction& b)
{
    return a.kind == b.kind && a.length == b.length && a.size == b.size && a.register_size == b.register_size &&
           a.reg == b.reg && a.port_in_dx == b.port_in_dx && a.port == b.port && a.immediate == b.immediate &&
           a.repeat == b.repeat && a.string_input == b.string_input && a.memory.base == b.memory.base &&
           a.memory.index == b.memory.index && a.memory.scale == b.memory.scale &&
           a.memory.displacement == b.memory.displacement;
}

TEST(Instruction, DecodedFieldsAreAlwaysWellFormed)
{
    Generator g;
    int decoded = 0;
    for (int n = 0; n < 20000; n++) {
        Bytes bytes = random_instruction(g);
        Instruction i = decode(bytes);
        if (i.kind == Kind::unsupported || i.kind == Kind::truncated) {
            EXPECT_EQ(i.length, 0u);
            continue;
        }
        decoded++;
        SCOPED_TRACE(hex(bytes));
        EXPECT_GE(i.length, 1u);
        EXPECT_LE(i.length, MAX_INSTRUCTION_LENGTH);
        EXPECT_LT(i.reg, 8u);
        EXPECT_TRUE(i.size == 0 || i.size == 1 || i.size == 2 || i.size == 4);
        EXPECT_TRUE(i.memory.base == NONE || i.memory.base < 8);
        EXPECT_TRUE(i.memory.index == NONE || (i.memory.index < 8 && i.memory.index != ESP));
        EXPECT_TRUE(i.memory.scale == 1 || i.memory.scale == 2 || i.memory.scale == 4 || i.memory.scale == 8);
    }
    EXPECT_GT(decoded, 1000); // the generator does reach the decoder's forms
}

TEST(Instruction, AnInstructionNeedsOnlyItsOwnBytes)
{
    // Whatever decodes from 15 bytes decodes the same from exactly its length,
    // and every shorter cut is truncated.
    Generator g;
    for (int n = 0; n < 5000; n++) {
        Bytes bytes = random_instruction(g);
        Instruction full = decode(bytes);
        if (full.kind == Kind::unsupported || full.kind == Kind::truncated) continue;
        SCOPED_TRACE(hex(bytes));
        Bytes own(bytes.begin(), bytes.begin() + full.length);
        EXPECT_TRUE(same(decode(own), full));
        expect_every_cut_truncated(own);
    }
}

TEST(Instruction, MoreBytesNeverChangeAnAnswer)
{
    // Unsupported from n bytes stays unsupported with more: it was decided
    // by the bytes seen.  Truncated is the only answer more bytes can change.
    Generator g;
    for (int n = 0; n < 3000; n++) {
        Bytes bytes = random_instruction(g);
        for (usize cut = 0; cut <= bytes.size(); cut++) {
            Bytes part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
            Instruction i = decode(part);
            if (i.kind == Kind::truncated) continue;
            SCOPED_TRACE(hex(part));
            EXPECT_TRUE(same(decode(bytes), i));
            break;
        }
    }
}

TEST(Instruction, FifteenBytesNeverTruncated)
{
    // With all 15 bytes available the answer is never "truncated".
    Generator g;
    for (int n = 0; n < 20000; n++) {
        Bytes bytes = random_instruction(g);
        EXPECT_NE(decode(bytes).kind, Kind::truncated) << hex(bytes);
    }
    EXPECT_EQ(decode(repeated(0x66, 15)).kind, Kind::unsupported);
}

static_assert(sizeof(Instruction) <= 32, "the decoder's answer is small enough to return by value");
static_assert(__is_trivially_copyable(Instruction));

} // namespace
