// kernel/vmm/guest_console.cc
#include "vmm/guest_console.h"
#include "console/log.h"

namespace {
u64 accepted = 0, emitted = 0;
}

u64 GuestConsole::bytes_accepted() { return accepted; }
u64 GuestConsole::bytes_emitted() { return emitted; }

u32 GuestConsole::escape(const u8* bytes, u32 length, char* out)
{
    u32 n = 0;
    for (u32 i = 0; i < length; i++) {
        u8 c = bytes[i];
        if ((c >= 0x20 && c < 0x7F && c != '\\') || c == '\t') {
            out[n++] = static_cast<char>(c);
        } else {
            const char* hex = "0123456789abcdef";
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return n;
}

void GuestConsole::emit(const char* name)
{
    char out[LINE_MAX * 4 + 1];
    escape(line_, length_, out);
    console::print("[%s] %s\n", name, out);
    emitted += length_;
    length_ = 0;
}

void GuestConsole::write(const char* name, const u8* bytes, u32 length)
{
    accepted += length;
    for (u32 i = 0; i < length; i++) {
        if (bytes[i] == '\n') {
            emitted++; // the newline itself is delivered as the line's end
            // A line of exactly 256 bytes went out when it filled: its
            // newline adds no empty line.
            if (length_ || !split_) emit(name);
            split_ = false;
            continue;
        }
        line_[length_++] = bytes[i];
        split_ = false;
        if (length_ == LINE_MAX) {
            emit(name);
            split_ = true;
        }
    }
}

void GuestConsole::flush(const char* name)
{
    if (length_) emit(name);
}
