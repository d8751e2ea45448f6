// kernel/vmm/guest_console.h: one guest's console.  Bytes are gathered into
// a line and a whole line goes out at once as "[NAME] text", so lines of
// different guests never mix.  A line longer than 256 bytes is split; bytes
// that are not printable ASCII are shown as \xHH so a guest cannot disturb
// the console a script reads.  Lines go to the host's output queue, where a
// guest may hold only its share (console/log.h): write() takes what fits
// and says how much, and the caller makes the guest wait for the rest.
#pragma once
#include "lib/types.h"

class GuestConsole {
public:
    static constexpr u32 LINE_MAX = 256;

    // The owner the output queue charges this console's lines to.
    void set_owner(u32 owner) { owner_ = owner; }
    // Takes bytes until a finished line does not fit in the guest's share of
    // the output queue; returns how many it took (all of them, usually).
    u32 write(const char* name, const u8* bytes, u32 length);
    // True when a whole line would fit again: a writer that waited may go on.
    bool has_room() const;
    void flush(const char* name); // a partial line goes out as a line, share or not
    // A partial line that has waited `quiet` ns since its last byte goes out
    // as a line (if it fits the share): a prompt is seen without its newline.
    // `now` is a clock::stamp().
    void flush_if_quiet(const char* name, u64 now, u64 quiet);
    void reset() { length_ = 0; }

    // Guest bytes as the console shows them: printable ASCII and tabs as they
    // are, every other byte (a backslash too, so "\xHH" is never ambiguous)
    // as \xHH.  `out` holds 4 * length + 1; returns the length written.
    static u32 escape(const u8* bytes, u32 length, char* out);

    static u64 bytes_accepted(); // every guest byte written, all guests
    static u64 bytes_emitted();  // every guest byte that reached the console

private:
    bool emit(const char* name, bool force, bool newline);
    u8 line_[LINE_MAX];
    u32 length_ = 0; // a full line waits for the next byte: a newline then ends it, adding no empty line
    u32 owner_ = 0;
    u64 last_byte_ = 0; // clock::stamp() of the last byte taken
};
