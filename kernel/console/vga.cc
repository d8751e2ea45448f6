// kernel/console/vga.cc: 80x25 colour text at 0xB8000, scrolling up.
#include "console/vga.h"
#include "lib/string.h"

namespace vga {
namespace {

constexpr u32 COLUMNS = 80, ROWS = 25;
constexpr u16 ATTRIBUTE = 0x0700; // light grey on black
u16* const screen = reinterpret_cast<u16*>(0xB8000);
u32 column = 0, row = 0;

void scroll()
{
    memmove(screen, screen + COLUMNS, (ROWS - 1) * COLUMNS * sizeof(u16));
    for (u32 c = 0; c < COLUMNS; c++) screen[(ROWS - 1) * COLUMNS + c] = ATTRIBUTE | ' ';
    row = ROWS - 1;
}

} // namespace

void init()
{
    for (u32 i = 0; i < COLUMNS * ROWS; i++) screen[i] = ATTRIBUTE | ' ';
    column = row = 0;
}

void write_byte(u8 byte)
{
    if (byte == '\n') {
        column = 0;
        if (++row == ROWS) scroll();
        return;
    }
    if (byte == '\r') return;
    screen[row * COLUMNS + column] = ATTRIBUTE | byte;
    if (++column == COLUMNS) {
        column = 0;
        if (++row == ROWS) scroll();
    }
}

} // namespace vga
