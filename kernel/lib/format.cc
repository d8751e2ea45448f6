// kernel/lib/format.cc: the formatter.  One pass over the format string; each
// conversion turns its argument into digits in a small buffer, then pads.
#include "lib/format.h"

namespace {

struct Spec {
    bool left = false;
    bool zero = false;
    int width = 0;
    bool wide = false; // ll
};

void emit_padded(FormatSink sink, void* context, const Spec& spec, const char* text, int length,
                 const char* prefix = "")
{
    int prefix_length = 0;
    while (prefix[prefix_length]) prefix_length++;
    int pad = spec.width - length - prefix_length;
    if (!spec.left && !spec.zero)
        for (; pad > 0; pad--) sink(context, ' ');
    for (int i = 0; i < prefix_length; i++) sink(context, prefix[i]);
    if (!spec.left && spec.zero)
        for (; pad > 0; pad--) sink(context, '0');
    for (int i = 0; i < length; i++) sink(context, text[i]);
    for (; pad > 0; pad--) sink(context, ' ');
}

// Writes the digits of value in base (10 or 16) at the end of buf; returns the start.
char* digits(char* end, u64 value, unsigned base, bool upper)
{
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char* p = end;
    do {
        *--p = set[value % base];
        value /= base;
    } while (value);
    return p;
}

} // namespace

void vformat(FormatSink sink, void* context, const char* fmt, va_list args)
{
    for (const char* f = fmt; *f; f++) {
        if (*f != '%') {
            sink(context, *f);
            continue;
        }
        const char* start = f++;
        Spec spec;
        for (;; f++) {
            if (*f == '-') spec.left = true;
            else if (*f == '0') spec.zero = true;
            else break;
        }
        if (*f == '*') {
            spec.width = va_arg(args, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            f++;
        }
        while (*f >= '0' && *f <= '9') spec.width = spec.width * 10 + (*f++ - '0');
        if (*f == 'l') {
            f++;
            if (*f == 'l') {
                spec.wide = true;
                f++;
            }
        }
        if (spec.left) spec.zero = false;

        char buf[24];
        char* end = buf + sizeof buf;
        switch (*f) {
        case 'd':
        case 'i': {
            i64 value = spec.wide ? va_arg(args, i64) : va_arg(args, i32);
            u64 magnitude = value < 0 ? 0 - static_cast<u64>(value) : static_cast<u64>(value);
            char* p = digits(end, magnitude, 10, false);
            emit_padded(sink, context, spec, p, static_cast<int>(end - p), value < 0 ? "-" : "");
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            u64 value = spec.wide ? va_arg(args, u64) : va_arg(args, u32);
            char* p = digits(end, value, *f == 'u' ? 10 : 16, *f == 'X');
            emit_padded(sink, context, spec, p, static_cast<int>(end - p));
            break;
        }
        case 'p': {
            u64 value = reinterpret_cast<uptr>(va_arg(args, void*));
            char* p = digits(end, value, 16, false);
            while (end - p < 8) *--p = '0';
            emit_padded(sink, context, spec, p, static_cast<int>(end - p), "0x");
            break;
        }
        case 'c':
            buf[0] = static_cast<char>(va_arg(args, int));
            emit_padded(sink, context, spec, buf, 1);
            break;
        case 's': {
            const char* s = va_arg(args, const char*);
            if (!s) s = "(null)";
            int length = 0;
            while (s[length]) length++;
            emit_padded(sink, context, spec, s, length);
            break;
        }
        case '%':
            sink(context, '%');
            break;
        default: // not ours: print it as written
            for (const char* p = start; p <= f && *p; p++) sink(context, *p);
            if (!*f) return;
            break;
        }
    }
}

namespace {
struct Buffer {
    char* buf;
    usize cap;
    usize length;
};

void buffer_sink(void* context, char c)
{
    auto* b = static_cast<Buffer*>(context);
    if (b->length + 1 < b->cap) b->buf[b->length] = c;
    b->length++;
}
} // namespace

usize vsnformat(char* buf, usize cap, const char* fmt, va_list args)
{
    Buffer b{buf, cap, 0};
    vformat(buffer_sink, &b, fmt, args);
    if (cap) buf[b.length < cap ? b.length : cap - 1] = '\0';
    return b.length;
}

usize snformat(char* buf, usize cap, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    usize n = vsnformat(buf, cap, fmt, args);
    va_end(args);
    return n;
}
