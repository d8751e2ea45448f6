// kernel/boot/command_line.cc
#include "boot/command_line.h"
#include "lib/string.h"

namespace {

void append_unknown(KernelOptions& options, const char* word, usize length)
{
    usize used = strlen(options.unknown);
    usize room = sizeof options.unknown - 1 - used;
    if (used && room) {
        options.unknown[used++] = ' ';
        room--;
    }
    usize n = length < room ? length : room;
    memcpy(options.unknown + used, word, n);
    options.unknown[used + n] = '\0';
}

bool is_flag_or_option(KernelOptions& options, const char* word, usize length)
{
    if (word_equals(word, length, "quiet")) return options.quiet = true;
    if (word_equals(word, length, "selftest")) return options.selftest = true;
    if (word_equals(word, length, "bench")) return options.bench = true;
    if (word_equals(word, length, "inject_switch_faults")) return options.inject_switch_faults = true;
    if (word_equals(word, length, "on_exit=poweroff")) return options.on_exit = OnExit::poweroff, true;
    if (word_equals(word, length, "on_exit=halt")) return options.on_exit = OnExit::halt, true;
    if (word_equals(word, length, "on_exit=reboot")) return options.on_exit = OnExit::reboot, true;
    return false;
}

bool has_equals(const char* word, usize length)
{
    for (usize i = 0; i < length; i++)
        if (word[i] == '=') return true;
    return false;
}

} // namespace

void parse_kernel_command_line(const char* line, KernelOptions& options)
{
    if (!line) return;
    bool first = true;
    const char* p = line;
    const char* word;
    usize length;
    while (next_word(p, &word, &length)) {
        bool known = is_flag_or_option(options, word, length);
        // Some loaders pass the kernel's own path first: a first word that is
        // neither an option (no '=') nor a flag is taken for it and ignored.
        if (!known && !(first && !has_equals(word, length))) append_unknown(options, word, length);
        first = false;
    }
}
