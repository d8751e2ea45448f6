// guest/tests/bad_gpa.cc: each call that takes a guest-physical address is
// given one outside guest memory; the guest must be killed with the call's
// name in the reason.  The case is chosen by the guest's name.
#include "test.h"
#include "lib/string.h"

void guest_main()
{
    const char* who = rung::name();
    u32 mem = rung::boot_info->mem_bytes;
    if (strcmp(who, "init_out") == 0) {
        rung::hypercall(hcall::LGUEST_INIT, mem - 100); // the block runs past the end
    } else if (strcmp(who, "init_unaligned") == 0) {
        rung::hypercall(hcall::LGUEST_INIT, 0x200002);
    } else if (strcmp(who, "write_out") == 0) {
        rung::hypercall(hcall::CONSOLE_WRITE, mem, 1);
    } else if (strcmp(who, "write_wrap") == 0) {
        rung::hypercall(hcall::CONSOLE_WRITE, 0xFFFFFF00, 0x200); // wraps around 4 GiB
    } else if (strcmp(who, "write_long") == 0) {
        rung::hypercall(hcall::CONSOLE_WRITE, 0x100000, 4097);
    } else if (strcmp(who, "write_end") == 0) {
        rung::hypercall(hcall::CONSOLE_WRITE, mem - 10, 11); // one byte past the end
    } else if (strcmp(who, "shutdown_out") == 0) {
        rung::hypercall(hcall::SHUTDOWN, mem, hcall::SHUTDOWN_POWEROFF);
    } else if (strcmp(who, "shutdown_reason") == 0) {
        rung::hypercall(hcall::SHUTDOWN, rung::address_of("bye"), 7);
    } else if (strcmp(who, "async_out") == 0) {
        rung::init();
        rung::queue_async(hcall::CONSOLE_WRITE, mem + 4096, 4);
        rung::hypercall(hcall::FLUSH_ASYNC);
    } else {
        test::error("unknown case %s", who);
        test::finish();
    }
    test::fail("survived a bad guest-physical address");
    test::finish();
}
