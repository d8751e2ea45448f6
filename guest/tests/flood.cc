// guest/tests/flood.cc: a console flood.  Each life writes LINES lines of
// random printable text (tabs included) of 0 to 300 bytes, some longer than
// the host's 256-byte line, some exactly 256; each line in one to four
// pieces, directly or queued on the asynchronous ring; then it reports what
// it wrote, "flood life L: wrote B bytes in N lines, C console lines", and
// restarts (the last life powers off).  B counts the text, not the
// newlines that end the lines; C is what the ABI promises: a line of L bytes
// comes out as ceil(L / 256) console lines, one if empty.  The soak
// (tools/soak.py) checks that the guest's console lines since the last
// report hold exactly B bytes of text once \xHH escapes are read back (the
// console lost or added nothing) and number exactly C.  Lives: 3 by
// default, NAME_nN, or NAME_tN until N seconds after boot (knobs.h).
//
// A guest named edge...: one line each of 255, 256, 257 and 512 bytes, then
// a verdict: exactly 1, 1, 2 and 2 console lines must come out, and no
// empty one (tests/boot/witness_flood.case).
#include "knobs.h"
#include "test.h"

namespace {

constexpr u32 DEFAULT_LIVES = 3;
constexpr u32 LINES = 200;
constexpr u32 MAX_LINE = 300;
constexpr u32 BUFFERS = 16; // pieces that may wait on the ring at once

char buffers[BUFFERS][MAX_LINE + 1];

u32 console_lines(u32 length) { return length ? (length + 255) / 256 : 1; }

void edges()
{
    static const u32 lengths[] = {255, 256, 257, 512};
    static char line[513];
    for (u32 length : lengths) {
        for (u32 i = 0; i < length; i++) line[i] = static_cast<char>('a' + i % 26);
        line[length] = '\n';
        rung::write(line, length + 1);
        rung::print("edge: %u bytes written, %u console lines expected\n", length, console_lines(length));
    }
    test::finish();
}

} // namespace

void guest_main()
{
    rung::init();
    if (rung::name()[0] == 'e' && rung::name()[1] == 'd' && rung::name()[2] == 'g' && rung::name()[3] == 'e') edges();
    u32 life = rung::boot_info->boot_count;
    knobs::Knobs k = knobs::from_name(DEFAULT_LIVES);
    bool last = k.rounds ? life + 1 >= k.rounds : knobs::done(k, 0);
    knobs::Random rng(knobs::hash(rung::name()) + life);

    u32 bytes = 0, queued = 0, expected_lines = 0;
    for (u32 n = 0; n < LINES; n++) {
        char* line = buffers[n % BUFFERS];
        if (n % BUFFERS == 0 && queued) { // the ring is done with every buffer before one is reused
            rung::hypercall(hcall::FLUSH_ASYNC);
            queued = 0;
        }
        u32 length = rng.one_in(8) ? 256 + rng.below(3) - 1 : rng.below(MAX_LINE + 1);
        for (u32 i = 0; i < length; i++) {
            u32 r = rng.below(96);
            line[i] = r == 95 ? '\t' : static_cast<char>(0x20 + r);
        }
        line[length] = '\n';
        u32 total = length + 1, done = 0;
        bool queue = rng.one_in(3);
        for (u32 pieces = 1 + rng.below(4); done < total; pieces--) {
            u32 size = pieces <= 1 ? total - done : rng.below(total - done + 1);
            if (queue) {
                rung::queue_async(hcall::CONSOLE_WRITE, rung::address_of(line + done), size);
                queued++;
            } else {
                rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(line + done), size);
            }
            done += size;
        }
        bytes += length;
        expected_lines += console_lines(length);
    }
    rung::hypercall(hcall::FLUSH_ASYNC);
    rung::print("flood life %u: wrote %u bytes in %u lines, %u console lines\n", life, bytes, LINES, expected_lines);
    if (last) rung::shutdown("flood done");
    rung::shutdown("next flood", hcall::SHUTDOWN_RESTART);
}
