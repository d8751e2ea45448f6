// guest/tests/console.cc: the console contract (ABI section 8).  What the
// host prints is checked by the harness; this guest only writes:
//   - a 600-byte line, which must come out as lines of 256, 256 and 88;
//   - bytes that are not printable, which must come out as \xHH;
//   - a zero-length write, which returns 0;
//   - a line written one byte per hypercall, which must come out whole;
//   - a last line with no newline, which SHUTDOWN must flush.
#include "test.h"

void guest_main()
{
    rung::init();
    static char long_line[601];
    for (u32 i = 0; i < 600; i++) long_line[i] = static_cast<char>('a' + i / 256);
    long_line[600] = '\n';
    test::check(rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(long_line), 601) == 601,
                "CONSOLE_WRITE returns the length");
    static const char binary[] = {'b', 'i', 'n', ':', 0x00, 0x1b, '[', '2', 'J', '\r', static_cast<char>(0xff), '\t', '!', '\n'};
    rung::write(binary, sizeof binary);
    test::check(rung::hypercall(hcall::CONSOLE_WRITE, rung::address_of(binary), 0) == 0,
                "a zero-length write returns 0");
    static const char pieces[] = "one byte at a time\n";
    for (u32 i = 0; pieces[i]; i++) rung::write(&pieces[i], 1);
    test::finish(); // "Test result: SUCCESS" then SHUTDOWN
}
