// guest/tests/chatter.cc: writes 40 lines of its own letter, each in pieces
// of a few bytes with a spin between them, so the host switches guests in
// the middle of lines.  Two of these side by side must never mix: every
// line of guest "chat_x" is "x" repeated (checked by the harness).
#include "test.h"

void guest_main()
{
    rung::init();
    char letter = rung::name()[5]; // chat_a, chat_b
    char piece[8];
    for (u32 i = 0; i < 8; i++) piece[i] = letter;
    for (u32 line = 0; line < 40; line++) {
        for (u32 k = 0; k < 8; k++) {
            rung::write(piece, 8);
            volatile u32 spin = 0;
            for (u32 i = 0; i < 20000; i++) spin = spin + 1;
        }
        rung::write("\n", 1);
    }
    test::finish();
}
