// kernel/vmm/guest_console.h: one guest's console.  Bytes are gathered into
// a line and a whole line goes out at once as "[NAME] text", so lines of
// different guests never mix.  A line longer than 256 bytes is split; bytes
// that are not printable ASCII are shown as \xHH so a guest cannot disturb
// the console a script reads.
#pragma once
#include "lib/types.h"

class GuestConsole {
public:
    static constexpr u32 LINE_MAX = 256;

    void write(const char* name, const u8* bytes, u32 length);
    void flush(const char* name); // a partial line goes out as a line
    void reset()
    {
        length_ = 0;
        split_ = false;
    }

    // Guest bytes as the console shows them: printable ASCII and tabs as they
    // are, every other byte (a backslash too, so "\xHH" is never ambiguous)
    // as \xHH.  `out` holds 4 * length + 1; returns the length written.
    static u32 escape(const u8* bytes, u32 length, char* out);

    static u64 bytes_accepted(); // every guest byte written, all guests
    static u64 bytes_emitted();  // every guest byte that reached the console

private:
    void emit(const char* name);
    u8 line_[LINE_MAX];
    u32 length_ = 0;
    bool split_ = false; // the last line went out full: a newline right after ends it
};
