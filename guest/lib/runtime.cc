// guest/lib/runtime.cc
#include "rung.h"
#include "lib/string.h"

extern "C" void (*init_array_start[])(), (*init_array_end[])();

namespace rung {

alignas(4096) LguestData lguest_data;
const BootInfo* boot_info = nullptr;

namespace {
char line[256];
u32 line_length = 0;
u32 async_next = 0;
char own_name[16];

void sink(void*, char c)
{
    line[line_length++] = c;
    if (c == '\n' || line_length == sizeof line) flush();
}
} // namespace

void init() { hypercall(hcall::LGUEST_INIT, address_of(&lguest_data)); }

void flush()
{
    if (line_length) hypercall(hcall::CONSOLE_WRITE, address_of(line), line_length);
    line_length = 0;
}

void write(const void* bytes, u32 length)
{
    flush();
    hypercall(hcall::CONSOLE_WRITE, address_of(bytes), length);
}

void print(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vformat(sink, nullptr, fmt, args);
    va_end(args);
}

void shutdown(const char* message, u32 reason)
{
    flush();
    for (;;) hypercall(hcall::SHUTDOWN, address_of(message), reason);
}

void queue_async(u32 call, u32 a1, u32 a2, u32 a3, u32 a4)
{
    u32 slot = async_next;
    async_next = (slot + 1) % ASYNC_SLOTS;
    lguest_data.hcalls[slot] = {call, a1, a2, a3, a4};
    asm volatile("" ::: "memory"); // the arguments before the status
    lguest_data.hcall_status[slot] = ASYNC_QUEUED;
}

bool option(const char* key, char* out, usize size)
{
    const char* s = reinterpret_cast<const char*>(boot_info->cmdline);
    usize key_length = strlen(key);
    while (*s) {
        while (*s == ' ') s++;
        const char* word = s;
        while (*s && *s != ' ') s++;
        if (static_cast<usize>(s - word) > key_length && memcmp(word, key, key_length) == 0 &&
            word[key_length] == '=') {
            usize n = 0;
            for (const char* v = word + key_length + 1; v < s && n + 1 < size; v++) out[n++] = *v;
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

const char* name()
{
    if (!own_name[0] && !option("name", own_name, sizeof own_name)) {
        // As the host does: the path's file name without its extension.
        const char* s = reinterpret_cast<const char*>(boot_info->cmdline);
        const char* base = s;
        for (const char* p = s; *p && *p != ' '; p++)
            if (*p == '/') base = p + 1;
        usize n = 0;
        while (base[n] && base[n] != '.' && base[n] != ' ' && n < 15) {
            own_name[n] = base[n];
            n++;
        }
        own_name[n] = '\0';
    }
    return own_name;
}

} // namespace rung

extern "C" [[noreturn]] void guest_entry(u32 magic, const BootInfo* info)
{
    rung::boot_info = info;
    for (auto** f = init_array_start; f < init_array_end; f++) (*f)();
    if (magic != RUNG_MAGIC || info->magic != RUNG_MAGIC) rung::shutdown("bad magic at entry");
    guest_main();
    rung::shutdown("guest_main returned");
}
