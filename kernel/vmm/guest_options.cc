// kernel/vmm/guest_options.cc
#include "vmm/guest_options.h"
#include "lib/format.h"
#include "lib/string.h"

namespace {

bool valid_name(const char* s, usize n)
{
    if (n < 1 || n > 15) return false;
    for (usize i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// `mem=` values: N (bytes), NK, NM; at least 1 MiB, rounded up to 4 KiB.
bool parse_memory(const char* s, usize n, u32* bytes)
{
    u64 unit = 1;
    if (n && (s[n - 1] == 'K' || s[n - 1] == 'k')) unit = 1024, n--;
    else if (n && (s[n - 1] == 'M' || s[n - 1] == 'm')) unit = 1024 * 1024, n--;
    u32 value;
    if (!parse_u32(s, n, &value)) return false;
    u64 total = static_cast<u64>(value) * unit;
    total = (total + 4095) & ~4095ull;
    if (total < MIN_GUEST_MEMORY || total > MAX_GUEST_MEMORY) return false;
    *bytes = static_cast<u32>(total);
    return true;
}

// The default name: the path's file name without its extension, cleaned to
// the name alphabet and cut to 15 characters.
void name_from_path(const char* path, char* name)
{
    const char* base = path;
    for (const char* p = path; *p; p++)
        if (*p == '/') base = p + 1;
    usize n = 0;
    for (const char* p = base; *p && *p != '.' && n < 15; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        name[n++] = ok ? c : '_';
    }
    name[n] = '\0';
}

void report_unknown(char* bad, usize size, const char* word, usize length)
{
    char shown[41];
    usize n = length < sizeof shown - 1 ? length : sizeof shown - 1;
    memcpy(shown, word, n);
    shown[n] = '\0';
    snformat(bad, size, "unknown option '%s'", shown);
}

} // namespace

bool parse_guest_options(const char* text, u32 id, GuestOptions& options, char* error, usize error_size)
{
    options = GuestOptions{};
    snformat(options.name, sizeof options.name, "guest%u", id);
    if (!text) return true;
    const char* p = text;
    bool first = true;
    bool named = false;
    char bad[64] = {};
    const char* word;
    usize length;
    while (next_word(p, &word, &length)) {
        if (word_equals(word, length, "--")) break; // the rest is a Linux command line
        const char* equals = nullptr;
        for (const char* q = word; q < p; q++)
            if (*q == '=') {
                equals = q;
                break;
            }
        if (!equals) {
            if (first) { // the image's path
                usize n = length < sizeof options.path - 1 ? length : sizeof options.path - 1;
                memcpy(options.path, word, n);
                options.path[n] = '\0';
                if (!named) name_from_path(options.path, options.name);
                if (!options.name[0]) snformat(options.name, sizeof options.name, "guest%u", id);
                first = false;
                continue;
            }
            if (!bad[0]) report_unknown(bad, sizeof bad, word, length);
            first = false;
            continue;
        }
        first = false;
        usize key_length = static_cast<usize>(equals - word);
        const char* value = equals + 1;
        usize value_length = static_cast<usize>(p - value);
        if (word_equals(word, key_length, "name")) {
            if (!valid_name(value, value_length)) {
                if (!bad[0]) snformat(bad, sizeof bad, "bad name (1-15 of A-Z a-z 0-9 _ -)");
                continue;
            }
            memcpy(options.name, value, value_length);
            options.name[value_length] = '\0';
            named = true;
        } else if (word_equals(word, key_length, "mem")) {
            if (!parse_memory(value, value_length, &options.mem_bytes) && !bad[0])
                snformat(bad, sizeof bad, "bad mem= value (at least 1M, at most 3072M)");
            options.mem_given = true;
        } else if (word_equals(word, key_length, "pci")) {
            if (word_equals(value, value_length, "on")) options.pci = Pci::on;
            else if (word_equals(value, value_length, "off")) options.pci = Pci::off;
            else if (!bad[0]) snformat(bad, sizeof bad, "bad pci= value (on or off)");
        } else if (word_equals(word, key_length, "initrd_for")) {
            if (!valid_name(value, value_length)) {
                if (!bad[0]) snformat(bad, sizeof bad, "bad initrd_for= name (1-15 of A-Z a-z 0-9 _ -)");
                continue;
            }
            memcpy(options.initrd_for, value, value_length);
            options.initrd_for[value_length] = '\0';
        } else if (word_equals(word, key_length, "on_kill")) {
            if (word_equals(value, value_length, "stop")) options.on_kill = OnKill::stop;
            else if (word_equals(value, value_length, "restart")) options.on_kill = OnKill::restart;
            else if (!bad[0]) snformat(bad, sizeof bad, "bad on_kill= value (stop or restart)");
        } else if (!bad[0]) {
            report_unknown(bad, sizeof bad, word, key_length);
        }
    }
    if (bad[0]) {
        snformat(error, error_size, "%s", bad);
        return false;
    }
    return true;
}
