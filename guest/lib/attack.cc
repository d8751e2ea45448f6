// guest/lib/attack.cc
#include "attack.h"

namespace rung {

const char* attack = "";

namespace {
const char* vector_name(u32 v)
{
    switch (v) {
    case 3: return "#BP";
    case 6: return "#UD";
    case 11: return "#NP";
    case 12: return "#SS";
    case 13: return "#GP";
    case 14: return "#PF";
    case 16: return "#MF";
    default: return "a trap";
    }
}
} // namespace

bool expect_fault(const char* what, u32 vector, u32 error, u32 cr2)
{
    if (!check_probe(what, {.vector = vector, .error = error, .cr2 = cr2})) return false;
    print("attack %s: %s: got %s (error %x) as expected\n", attack, what, vector_name(vector), error);
    return true;
}

void ok(const char* what) { print("attack %s: %s as expected\n", attack, what); }

} // namespace rung
