// tests/unit/test_virtio_console.cc: the virtio console
// (kernel/devices/virtio_console.h) on the PCI transport: the early console
// of Linux 4.9's lguest guest (emerg_wr through the PCI_CFG window, byte by
// byte), the driver's bring-up, transmit chains to the output, input into
// receive buffers, and bad rings.
#include "virtio_rig.h"

#include "devices/virtio_console.h"

using namespace virtio;
using rig::str;

namespace {

struct Sink {
    std::string out;
    int input_ready = 0;
    u32 room = 0xFFFFFFFF; // bytes the host's console takes before it is full
    static u32 output(void* context, const u8* bytes, u32 length)
    {
        Sink* s = static_cast<Sink*>(context);
        u32 took = length < s->room ? length : s->room;
        s->room -= took;
        s->out.append(reinterpret_cast<const char*>(bytes), took);
        return took;
    }
    static void ready(void* context) { static_cast<Sink*>(context)->input_ready++; }
};

struct Holder {
    Sink sink;
    Console console{Sink::output, Sink::ready, &sink};
};

struct Rig : Holder, rig::Guest {
    Rig() : rig::Guest(console) {}

    // The driver's bring-up: features, both queues of 8, DRIVER_OK.
    void bring_up(u32 size = 8)
    {
        ASSERT_TRUE(negotiate(FEATURE_VERSION_1));
        ASSERT_EQ(setup_queue(CONSOLE_RECEIVEQ, size), "(null)");
        ASSERT_EQ(setup_queue(CONSOLE_TRANSMITQ, size), "(null)");
        driver_ok();
    }
    // One transmit chain of the given texts, starting at descriptor `first`.
    void send(u16 first, std::initializer_list<const char*> texts, bool notify_it = true)
    {
        u32 q = CONSOLE_TRANSMITQ, i = first, n = 0, at = rig::BUFFERS + 0x1000 * first;
        for (const char* t : texts) {
            u32 len = static_cast<u32>(std::strlen(t));
            std::memcpy(mem + at, t, len);
            bool last = ++n == texts.size();
            put_desc(q, i, at, len, last ? 0 : DESC_F_NEXT, static_cast<u16>(i + 1));
            at += len;
            i++;
        }
        offer(q, first);
        if (notify_it) {
            EXPECT_EQ(notify(q), "(null)");
        }
    }
    // Posts a receive buffer of `len` bytes as descriptor i (one-descriptor chain).
    u32 post(u16 i, u32 len)
    {
        u32 at = rig::BUFFERS + 0x40000 + 0x1000 * i;
        put_desc(CONSOLE_RECEIVEQ, i, at, len, DESC_F_WRITE);
        offer(CONSOLE_RECEIVEQ, i);
        return at;
    }
    std::string bytes_at(u32 gpa, u32 len) const { return std::string(reinterpret_cast<const char*>(mem + gpa), len); }
    u32 give(const char* text, std::string* error = nullptr)
    {
        const char* e = nullptr;
        u32 n = console.give_input(reinterpret_cast<const u8*>(text), static_cast<u32>(std::strlen(text)), &e);
        if (error) {
            *error = str(e);
        } else {
            EXPECT_EQ(e, nullptr) << e;
        }
        return n;
    }
};

// Linux 4.9's early_put_chars: probe 00:01.0 for 1AF4:1043, find the
// DEVICE_CFG and PCI_CFG capabilities, then per character set the window
// (bar byte, length, offset) and write the character as a dword.
void early_console(Rig& r, const char* text)
{
    ASSERT_EQ(r.cfg_read(pci::VENDOR_ID, 4), 0x10431AF4u);
    u32 device_cap = 0, window_cap = 0;
    for (u32 cap = r.cfg_read(pci::CAPABILITIES, 1); cap; cap = r.cfg_read(cap + CAP_NEXT, 1)) {
        if (r.cfg_read(cap, 1) != pci::CAP_ID_VENDOR) continue;
        u32 type = r.cfg_read(cap + CAP_CFG_TYPE, 1), bar = r.cfg_read(cap + CAP_BAR, 1);
        if (type == CFG_TYPE_DEVICE && bar == 0) device_cap = cap;
        if (type == CFG_TYPE_PCI) window_cap = cap;
    }
    ASSERT_NE(device_cap, 0u);
    ASSERT_NE(window_cap, 0u);
    ASSERT_GE(r.cfg_read(device_cap + CAP_LENGTH, 4), CONSOLE_EMERG_WR + 4);
    u32 config = r.cfg_read(device_cap + CAP_OFFSET, 4);
    for (const char* p = text; *p; p++) {
        ASSERT_EQ(r.cfg_write(window_cap + CAP_BAR, 1, 0), nullptr);
        ASSERT_EQ(r.cfg_write(window_cap + CAP_LENGTH, 4, 4), nullptr);
        ASSERT_EQ(r.cfg_write(window_cap + CAP_OFFSET, 4, config + CONSOLE_EMERG_WR), nullptr);
        // buf[0] is a char: sign-extended into the u32 argument.
        u32 value = static_cast<u32>(static_cast<i32>(static_cast<signed char>(*p)));
        ASSERT_EQ(r.cfg_write(window_cap + CAP_PCI_CFG_DATA, 4, value), nullptr);
    }
}

} // namespace

// ---- identity and configuration -----------------------------------------------------

TEST(VirtioConsole, IdentityFeaturesAndQueues)
{
    Rig r;
    EXPECT_EQ(r.cfg_read(pci::DEVICE_ID, 2), 0x1043u);
    EXPECT_EQ(r.cfg_read(pci::REVISION, 4) >> 8, CONSOLE_PCI_CLASS);
    r.wr(DEVICE_FEATURE_SELECT, 4, 0);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 1u << CONSOLE_F_EMERG_WRITE); // no SIZE, no MULTIPORT
    r.wr(DEVICE_FEATURE_SELECT, 4, 1);
    EXPECT_EQ(r.rd(DEVICE_FEATURE, 4), 1u);
    EXPECT_EQ(r.rd(NUM_QUEUES, 2), 2u);
    for (u32 q = 0; q < 2; q++) {
        r.wr(QUEUE_SELECT, 2, q);
        EXPECT_EQ(r.rd(QUEUE_SIZE, 2), CONSOLE_QUEUE_SIZE);
    }
    EXPECT_TRUE(r.negotiate(FEATURE_VERSION_1 | 1ull << CONSOLE_F_EMERG_WRITE));
    EXPECT_FALSE(r.negotiate(FEATURE_VERSION_1 | 1ull << CONSOLE_F_MULTIPORT));
    EXPECT_FALSE(r.negotiate(FEATURE_VERSION_1 | 1ull << CONSOLE_F_SIZE));
}

TEST(VirtioConsole, DeviceConfiguration)
{
    Rig r;
    u32 base = DEVICE_CFG_OFFSET;
    EXPECT_EQ(r.rd(base + CONSOLE_COLS, 2), 0u);
    EXPECT_EQ(r.rd(base + CONSOLE_ROWS, 2), 0u);
    EXPECT_EQ(r.rd(base + CONSOLE_MAX_NR_PORTS, 4), 1u);
    EXPECT_EQ(r.rd(base + CONSOLE_MAX_NR_PORTS, 1), 1u);
    EXPECT_EQ(r.rd(base + CONSOLE_MAX_NR_PORTS + 1, 1), 0u);
    EXPECT_EQ(r.rd(base + 2, 4), 0x00010000u);
    EXPECT_EQ(r.rd(base + 3, 2), 0x0100u);
    EXPECT_EQ(r.rd(base + CONSOLE_EMERG_WR, 4), 0u);
    // Read-only: writes to the other fields change nothing and print nothing.
    r.wr(base + CONSOLE_COLS, 2, 80);
    r.wr(base + CONSOLE_MAX_NR_PORTS, 4, 5);
    EXPECT_EQ(r.rd(base + CONSOLE_COLS, 2), 0u);
    EXPECT_EQ(r.rd(base + CONSOLE_MAX_NR_PORTS, 4), 1u);
    EXPECT_EQ(r.sink.out, "");
}

// ---- emerg_wr -------------------------------------------------------------------------------

TEST(VirtioConsoleEmergency, EveryWidthOutputsTheLowByte)
{
    Rig r;
    u32 at = DEVICE_CFG_OFFSET + CONSOLE_EMERG_WR;
    r.wr(at, 1, 'a');
    r.wr(at, 2, 0x7762);       // 'b'
    r.wr(at, 4, 0xFFFFFF63);   // 'c'
    r.wr(at + 1, 1, 'x');      // not the low byte: ignored
    r.wr(at + 2, 2, 'y');
    EXPECT_EQ(r.sink.out, "abc");
    EXPECT_EQ(r.rd(at, 4), 0u);
}

TEST(VirtioConsoleEmergency, LinuxEarlyConsoleThroughTheWindow)
{
    Rig r;
    // Before any driver: status 0, nothing negotiated.
    early_console(r, "Linux version 4.9\n\xE9");
    EXPECT_EQ(r.sink.out, "Linux version 4.9\n\xE9");
    EXPECT_EQ(r.transport.device_status(), 0u);
}

TEST(VirtioConsoleEmergency, ByteByByteWindowWrites)
{
    Rig r;
    r.set_window(0, DEVICE_CFG_OFFSET + CONSOLE_EMERG_WR, 1);
    for (char c : std::string("ok")) EXPECT_EQ(r.window_write(static_cast<u8>(c), 1), nullptr);
    EXPECT_EQ(r.sink.out, "ok");
}

// ---- transmit -----------------------------------------------------------------------------------

TEST(VirtioConsoleTransmit, AChainGoesOutInOrderWithUsedLengthZero)
{
    Rig r;
    r.bring_up();
    r.send(0, {"hello, ", "world", "\n"});
    EXPECT_EQ(r.sink.out, "hello, world\n");
    EXPECT_EQ(r.used_idx(CONSOLE_TRANSMITQ), 1u);
    EXPECT_EQ(r.used_id(CONSOLE_TRANSMITQ, 0), 0u);
    EXPECT_EQ(r.used_len(CONSOLE_TRANSMITQ, 0), 0u);
    EXPECT_EQ(r.irqs, std::vector<u32>{rig::IRQ});
    EXPECT_EQ(r.rd(ISR_CFG_OFFSET, 1), ISR_QUEUE);
}

TEST(VirtioConsoleTransmit, SeveralChainsOneNotify)
{
    Rig r;
    r.bring_up();
    r.send(0, {"one "}, false);
    r.send(1, {"two "}, false);
    r.send(2, {"three"});
    EXPECT_EQ(r.sink.out, "one two three");
    EXPECT_EQ(r.used_idx(CONSOLE_TRANSMITQ), 3u);
    EXPECT_EQ(r.used_id(CONSOLE_TRANSMITQ, 2), 2u);
    EXPECT_EQ(r.irqs.size(), 1u);
}

TEST(VirtioConsoleTransmit, NoInterruptWhenTheGuestSaysSo)
{
    Rig r;
    r.bring_up();
    r.put16(r.avail(CONSOLE_TRANSMITQ), AVAIL_F_NO_INTERRUPT);
    r.send(0, {"quiet"});
    EXPECT_EQ(r.sink.out, "quiet");
    EXPECT_TRUE(r.irqs.empty());
    EXPECT_EQ(r.transport.isr(), 0u);
}

TEST(VirtioConsoleTransmit, ChainsPostedBeforeDriverOkGoOutThen)
{
    Rig r;
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    ASSERT_EQ(r.setup_queue(CONSOLE_RECEIVEQ, 8), "(null)");
    ASSERT_EQ(r.setup_queue(CONSOLE_TRANSMITQ, 8), "(null)");
    r.send(0, {"early"}, false);
    EXPECT_EQ(r.sink.out, "");
    r.driver_ok();
    EXPECT_EQ(r.sink.out, "early");
}

TEST(VirtioConsoleTransmit, WritableSegmentsAreIgnored)
{
    Rig r;
    r.bring_up();
    u32 q = CONSOLE_TRANSMITQ;
    std::memcpy(r.mem + rig::BUFFERS, "text", 4);
    r.put_desc(q, 0, rig::BUFFERS, 4, DESC_F_NEXT, 1);
    r.put_desc(q, 1, rig::BUFFERS + 0x100, 16, DESC_F_WRITE);
    r.offer(q, 0);
    EXPECT_EQ(r.notify(q), "(null)");
    EXPECT_EQ(r.sink.out, "text");
    EXPECT_EQ(r.used_len(q, 0), 0u);
}

TEST(VirtioConsoleTransmit, ABadDescriptorIsAGuestError)
{
    Rig r;
    r.bring_up();
    u32 q = CONSOLE_TRANSMITQ;
    r.send(0, {"fine "});
    r.put_desc(q, 1, rig::MEM - 2, 4);
    r.offer(q, 1);
    EXPECT_EQ(r.notify(q), "queue 1: descriptor 1 at 0xffffe +4 is outside guest memory");
    EXPECT_EQ(r.sink.out, "fine ");
}

TEST(VirtioConsoleTransmit, ATooLongChainIsAGuestError)
{
    Rig r;
    r.bring_up(16);
    u32 q = CONSOLE_TRANSMITQ;
    for (u16 i = 0; i < CONSOLE_SEGMENTS + 1; i++) r.put_desc(q, i, rig::BUFFERS, 1, DESC_F_NEXT, i + 1);
    r.put_desc(q, CONSOLE_SEGMENTS, rig::BUFFERS, 1);
    r.offer(q, 0);
    EXPECT_EQ(r.notify(q), "queue 1: chain from head 0 has 9 descriptors, more than 8");
    EXPECT_EQ(r.sink.out, "");
}

// ---- receive ------------------------------------------------------------------------------------

TEST(VirtioConsoleReceive, NothingTakenWithoutBuffersOrBeforeDriverOk)
{
    Rig r;
    EXPECT_EQ(r.give("x"), 0u);
    ASSERT_TRUE(r.negotiate(FEATURE_VERSION_1));
    ASSERT_EQ(r.setup_queue(CONSOLE_RECEIVEQ, 8), "(null)");
    r.post(0, 16);
    EXPECT_EQ(r.give("x"), 0u); // not DRIVER_OK yet
    r.driver_ok();
    EXPECT_EQ(r.give("x"), 1u);
    EXPECT_EQ(r.give("y"), 0u); // the one buffer is used
}

TEST(VirtioConsoleReceive, FillsBuffersInOrderAndReportsLengths)
{
    Rig r;
    r.bring_up();
    u32 a = r.post(0, 4);
    u32 b = r.post(1, 16);
    EXPECT_EQ(r.give("abcdefg"), 7u);
    EXPECT_EQ(r.bytes_at(a, 4), "abcd");
    EXPECT_EQ(r.bytes_at(b, 3), "efg");
    EXPECT_EQ(r.used_idx(CONSOLE_RECEIVEQ), 2u);
    EXPECT_EQ(r.used_id(CONSOLE_RECEIVEQ, 0), 0u);
    EXPECT_EQ(r.used_len(CONSOLE_RECEIVEQ, 0), 4u);
    EXPECT_EQ(r.used_id(CONSOLE_RECEIVEQ, 1), 1u);
    EXPECT_EQ(r.used_len(CONSOLE_RECEIVEQ, 1), 3u);
    EXPECT_EQ(r.irqs, std::vector<u32>{rig::IRQ});
}

TEST(VirtioConsoleReceive, TakesOnlyWhatFitsTheCallerKeepsTheRest)
{
    Rig r;
    r.bring_up();
    u32 a = r.post(0, 3);
    EXPECT_EQ(r.give("hello"), 3u);
    EXPECT_EQ(r.bytes_at(a, 3), "hel");
    EXPECT_EQ(r.give("lo"), 0u);
    // The guest posts another buffer and notifies: the holder hears of it.
    u32 b = r.post(1, 8);
    EXPECT_EQ(r.notify(CONSOLE_RECEIVEQ), "(null)");
    EXPECT_EQ(r.sink.input_ready, 1);
    EXPECT_EQ(r.give("lo"), 2u);
    EXPECT_EQ(r.bytes_at(b, 2), "lo");
    EXPECT_EQ(r.used_len(CONSOLE_RECEIVEQ, 1), 2u);
}

TEST(VirtioConsoleReceive, ChainsOfSeveralWritableSegments)
{
    Rig r;
    r.bring_up();
    u32 q = CONSOLE_RECEIVEQ;
    r.put_desc(q, 0, rig::BUFFERS, 2, DESC_F_WRITE | DESC_F_NEXT, 1);
    r.put_desc(q, 1, rig::BUFFERS + 0x100, 2, DESC_F_WRITE);
    r.offer(q, 0);
    EXPECT_EQ(r.give("wxyz!"), 4u);
    EXPECT_EQ(r.bytes_at(rig::BUFFERS, 2), "wx");
    EXPECT_EQ(r.bytes_at(rig::BUFFERS + 0x100, 2), "yz");
    EXPECT_EQ(r.used_len(q, 0), 4u);
}

TEST(VirtioConsoleReceive, EmptyInputTakesNoBuffer)
{
    Rig r;
    r.bring_up();
    r.post(0, 8);
    EXPECT_EQ(r.give(""), 0u);
    EXPECT_EQ(r.used_idx(CONSOLE_RECEIVEQ), 0u);
    EXPECT_TRUE(r.irqs.empty());
}

TEST(VirtioConsoleReceive, AReadableSegmentIsAGuestError)
{
    Rig r;
    r.bring_up();
    r.put_desc(CONSOLE_RECEIVEQ, 0, rig::BUFFERS, 8);
    r.offer(CONSOLE_RECEIVEQ, 0);
    std::string error;
    EXPECT_EQ(r.give("data", &error), 0u);
    EXPECT_EQ(error, "queue 0: a receive buffer has a device-readable segment");
}

TEST(VirtioConsoleReceive, ABadRingIsAGuestErrorAfterWhatWasDelivered)
{
    Rig r;
    r.bring_up();
    r.post(0, 2);
    r.put_desc(CONSOLE_RECEIVEQ, 1, 0xFFFFFFF0, 64, DESC_F_WRITE);
    r.offer(CONSOLE_RECEIVEQ, 1);
    std::string error;
    EXPECT_EQ(r.give("abcd", &error), 2u);
    EXPECT_EQ(error, "queue 0: descriptor 1 at 0xfffffff0 +64 is outside guest memory");
}

TEST(VirtioConsoleReceive, ResetStopsInput)
{
    Rig r;
    r.bring_up();
    r.post(0, 8);
    r.reset();
    EXPECT_EQ(r.give("x"), 0u);
}

TEST(VirtioConsole, OutputWaitsForRoomAndGoesOnWhereItStopped)
{
    Rig r;
    r.bring_up();
    r.sink.room = 5;
    r.send(0, {"hello ", "world"});
    EXPECT_EQ(r.sink.out, "hello");
    EXPECT_TRUE(r.console.output_held());
    EXPECT_EQ(r.used_idx(CONSOLE_TRANSMITQ), 0u); // the chain is not handed back yet
    r.sink.room = 3;
    EXPECT_EQ(str(r.console.resume_output()), "(null)");
    EXPECT_EQ(r.sink.out, "hello wo");
    r.sink.room = 0xFFFFFFFF;
    r.send(2, {"!"});                              // a notify goes on with the held chain first
    EXPECT_EQ(r.sink.out, "hello world!");
    EXPECT_FALSE(r.console.output_held());
    EXPECT_EQ(r.used_idx(CONSOLE_TRANSMITQ), 2u);
}
