// kernel/console/log.cc
#include "console/log.h"
#include "console/serial.h"
#include "console/vga.h"

namespace console {
namespace {

bool quiet_mode = false;
u64 written = 0;

void sink(void*, char c)
{
    serial::write_byte(static_cast<u8>(c));
    vga::write_byte(static_cast<u8>(c));
    written++;
}

} // namespace

void init()
{
    serial::init();
    vga::init();
}

void set_quiet(bool quiet) { quiet_mode = quiet; }
u64 bytes_written() { return written; }

void write(const char* bytes, usize length)
{
    for (usize i = 0; i < length; i++) sink(nullptr, bytes[i]);
}

void vprint(const char* fmt, va_list args) { vformat(sink, nullptr, fmt, args); }

void print(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vprint(fmt, args);
    va_end(args);
}

namespace {
void host_line(const char* fmt, va_list args)
{
    write("rung: ", 6);
    vprint(fmt, args);
    write("\n", 1);
}
} // namespace

void stable(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    host_line(fmt, args);
    va_end(args);
}

void info(const char* fmt, ...)
{
    if (quiet_mode) return;
    va_list args;
    va_start(args, fmt);
    host_line(fmt, args);
    va_end(args);
}

} // namespace console
