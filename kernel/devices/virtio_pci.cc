// kernel/devices/virtio_pci.cc: the virtio 1.0 PCI transport: capabilities,
// common configuration, notify, ISR, the PCI_CFG window.
#include "devices/virtio_pci.h"
#include "lib/format.h"

namespace virtio {

namespace {

constexpr bool power_of_two(u32 n) { return n && !(n & (n - 1)); }
constexpr bool valid_size(u32 size) { return size == 1 || size == 2 || size == 4; }
constexpr u32 size_mask(u32 size) { return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

// The common configuration's fields: offset and width.
struct Field {
    u32 offset, width;
    const char* name;
};
constexpr Field COMMON_FIELDS[] = {
    {DEVICE_FEATURE_SELECT, 4, "device_feature_select"},
    {DEVICE_FEATURE, 4, "device_feature"},
    {DRIVER_FEATURE_SELECT, 4, "driver_feature_select"},
    {DRIVER_FEATURE, 4, "driver_feature"},
    {MSIX_CONFIG, 2, "msix_config"},
    {NUM_QUEUES, 2, "num_queues"},
    {DEVICE_STATUS, 1, "device_status"},
    {CONFIG_GENERATION, 1, "config_generation"},
    {QUEUE_SELECT, 2, "queue_select"},
    {QUEUE_SIZE, 2, "queue_size"},
    {QUEUE_MSIX_VECTOR, 2, "queue_msix_vector"},
    {QUEUE_ENABLE, 2, "queue_enable"},
    {QUEUE_NOTIFY_OFF, 2, "queue_notify_off"},
    {QUEUE_DESC_LO, 4, "queue_desc"},
    {QUEUE_DESC_HI, 4, "queue_desc (high half)"},
    {QUEUE_DRIVER_LO, 4, "queue_driver"},
    {QUEUE_DRIVER_HI, 4, "queue_driver (high half)"},
    {QUEUE_DEVICE_LO, 4, "queue_device"},
    {QUEUE_DEVICE_HI, 4, "queue_device (high half)"},
};

const Field* common_field(u32 offset)
{
    for (const Field& f : COMMON_FIELDS)
        if (offset - f.offset < f.width) return &f;
    return nullptr;
}

u64 set_half(u64 value, bool high, u32 half)
{
    return high ? (value & 0xFFFFFFFFull) | static_cast<u64>(half) << 32
                : (value & ~0xFFFFFFFFull) | half;
}

u32 get_half(u64 value, bool high) { return static_cast<u32>(high ? value >> 32 : value); }

} // namespace

// ---- Device defaults ---------------------------------------------------------------

Device::Device(u16 id_, u32 pci_class_, u64 features_, u32 queue_count_, u32 queue_size_, u32 max_chain_bytes_,
               u32 config_size_)
    : id(id_), pci_class(pci_class_), features(features_), queue_count(queue_count_), queue_size(queue_size_),
      max_chain_bytes(max_chain_bytes_), config_size(config_size_)
{
}

const char* Device::read_config(u32, u32, u32* value)
{
    *value = 0;
    return nullptr;
}
const char* Device::write_config(u32, u32, u32) { return nullptr; }
const char* Device::queue_notified(u32) { return nullptr; }
const char* Device::driver_ready() { return nullptr; }
void Device::reset() {}

// ---- set-up -----------------------------------------------------------------------------

bool PciTransport::init(Device& dev, GuestMemoryView memory, u32 bar_base, u8 line, RaiseIrq raise_irq,
                        void* raise_context)
{
    if (dev.queue_count == 0 || dev.queue_count > MAX_QUEUES) return false;
    if (!power_of_two(dev.queue_size) || dev.queue_size > MAX_QUEUE_SIZE) return false;
    if (dev.config_size > MAX_DEVICE_CFG_LENGTH) return false;
    if (bar_base == 0 || bar_base % BAR_SIZE) return false;

    device_ = &dev;
    dev.transport_ = this;
    raise_ = raise_irq;
    raise_context_ = raise_context;
    irq_line_ = line;
    for (u32 i = 0; i < MAX_QUEUES; i++)
        queues_[i].init(memory, i, i < dev.queue_count ? dev.queue_size : 1, dev.max_chain_bytes);

    using namespace pci;
    for (u32 i = 0; i < CONFIG_SPACE_SIZE; i++) space_[i] = writable_[i] = 0;
    set(VENDOR_ID, 2, PCI_VENDOR_ID);
    set(DEVICE_ID, 2, PCI_DEVICE_ID_BASE + dev.id);
    set(STATUS, 2, STATUS_CAPABILITIES);
    set(REVISION, 1, 1);
    set(CLASS_CODE, 3, dev.pci_class);
    set(HEADER_TYPE, 1, 0);
    set(SUBSYSTEM_VENDOR_ID, 2, PCI_VENDOR_ID);
    set(SUBSYSTEM_ID, 2, 0x40u + dev.id);
    set(CAPABILITIES, 1, CAP_COMMON);
    set(INTERRUPT_LINE, 1, line);
    set(INTERRUPT_PIN, 1, 0);
    set_writable(COMMAND, 2, COMMAND_MEMORY | COMMAND_MASTER | COMMAND_INTX_DISABLE);
    set_writable(CACHE_LINE_SIZE, 2, 0xFFFF); // and the latency timer
    set_writable(INTERRUPT_LINE, 1, 0xFF);
    set_bar0(bar_base, BAR_SIZE);

    // The capability chain; the device's is left out when it has no
    // configuration.
    struct Cap {
        u32 at, length;
        u8 type;
        u32 bar_offset, bar_length;
    } const caps[] = {
        {CAP_COMMON, 16, CFG_TYPE_COMMON, COMMON_CFG_OFFSET, COMMON_CFG_LENGTH},
        {CAP_NOTIFY, 20, CFG_TYPE_NOTIFY, NOTIFY_CFG_OFFSET, NOTIFY_OFF_MULTIPLIER * dev.queue_count},
        {CAP_ISR, 16, CFG_TYPE_ISR, ISR_CFG_OFFSET, ISR_CFG_LENGTH},
        {CAP_DEVICE, 16, CFG_TYPE_DEVICE, DEVICE_CFG_OFFSET, dev.config_size},
        {CAP_PCI_CFG, 20, CFG_TYPE_PCI, 0, 0},
    };
    u32 previous_next = 0;
    for (const Cap& c : caps) {
        if (c.type == CFG_TYPE_DEVICE && c.bar_length == 0) continue;
        if (previous_next) set(previous_next, 1, c.at);
        set(c.at + CAP_VNDR, 1, CAP_ID_VENDOR);
        set(c.at + CAP_NEXT, 1, 0);
        set(c.at + CAP_LEN, 1, c.length);
        set(c.at + CAP_CFG_TYPE, 1, c.type);
        set(c.at + CAP_BAR, 1, 0);
        set(c.at + CAP_OFFSET, 4, c.bar_offset);
        set(c.at + CAP_LENGTH, 4, c.bar_length);
        previous_next = c.at + CAP_NEXT;
    }
    set(CAP_NOTIFY + CAP_NOTIFY_OFF_MULTIPLIER, 4, NOTIFY_OFF_MULTIPLIER);
    set_writable(CAP_PCI_CFG + CAP_BAR, 1, 0xFF);
    set_writable(CAP_PCI_CFG + CAP_OFFSET, 4, 0xFFFFFFFF);
    set_writable(CAP_PCI_CFG + CAP_LENGTH, 4, 0xFFFFFFFF);
    set_writable(CAP_PCI_CFG + CAP_PCI_CFG_DATA, 4, 0xFFFFFFFF);

    generation_ = 0;
    reset_device();
    return true;
}

const char* PciTransport::fail(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnformat(error_, sizeof error_, fmt, args);
    va_end(args);
    return error_;
}

u64 PciTransport::offered_features() const { return device_ ? device_->features | FEATURE_VERSION_1 : 0; }

void PciTransport::reset_device()
{
    status_ = 0;
    isr_ = 0;
    device_feature_select_ = driver_feature_select_ = 0;
    driver_features_ = 0;
    queue_select_ = 0;
    for (Virtqueue& q : queues_) q.reset();
    if (device_) device_->reset();
}

// ---- interrupts --------------------------------------------------------------------

void PciTransport::raise_intx()
{
    if (get(pci::COMMAND, 2) & pci::COMMAND_INTX_DISABLE) return;
    if (raise_) raise_(raise_context_, irq_line_);
}

void PciTransport::signal_used()
{
    isr_ |= ISR_QUEUE;
    raise_intx();
}

void PciTransport::signal_config_change()
{
    generation_++;
    isr_ |= ISR_CONFIG;
    raise_intx();
}

// ---- configuration space ---------------------------------------------------------------

bool PciTransport::window_valid() const
{
    u32 bar = get(CAP_PCI_CFG + CAP_BAR, 1), offset = get(CAP_PCI_CFG + CAP_OFFSET, 4),
        length = get(CAP_PCI_CFG + CAP_LENGTH, 4);
    return bar == 0 && valid_size(length) && offset % length == 0 && offset < BAR_SIZE &&
           length <= BAR_SIZE - offset;
}

namespace {
// Whether [offset, offset + size) meets [start, start + length).
constexpr bool overlaps(u32 offset, u32 size, u32 start, u32 length)
{
    return offset < start + length && start < offset + size;
}
} // namespace

const char* PciTransport::config_read(u32 offset, u32 size, u32* value)
{
    if (!device_) return Function::config_read(offset, size, value);
    // A read of pci_cfg_data first reads the BAR through the window into it
    // (cap.length bytes; the rest of the field keeps its bytes).  An invalid
    // window reads nothing: the field reads as it stands.
    if (overlaps(offset, size, CAP_PCI_CFG + CAP_PCI_CFG_DATA, 4) && window_valid()) {
        u32 length = get(CAP_PCI_CFG + CAP_LENGTH, 4), data = 0;
        if (const char* error = bar_access(false, get(CAP_PCI_CFG + CAP_OFFSET, 4), length, &data)) return error;
        set(CAP_PCI_CFG + CAP_PCI_CFG_DATA, length, data);
    }
    u32 v = get(offset, size);
    if (isr_ && overlaps(offset, size, pci::STATUS, 1)) v |= static_cast<u32>(pci::STATUS_INTERRUPT) << (8 * (pci::STATUS - offset));
    *value = v;
    return nullptr;
}

const char* PciTransport::config_write(u32 offset, u32 size, u32 value)
{
    if (!device_) return Function::config_write(offset, size, value);
    bool intx_was_disabled = get(pci::COMMAND, 2) & pci::COMMAND_INTX_DISABLE;
    Function::config_write(offset, size, value);
    if (intx_was_disabled && !(get(pci::COMMAND, 2) & pci::COMMAND_INTX_DISABLE) && isr_) raise_intx();
    // A write of pci_cfg_data merges into it, then writes its first
    // cap.length bytes to the BAR through the window (if it is valid).
    if (overlaps(offset, size, CAP_PCI_CFG + CAP_PCI_CFG_DATA, 4) && window_valid()) {
        u32 length = get(CAP_PCI_CFG + CAP_LENGTH, 4);
        u32 data = get(CAP_PCI_CFG + CAP_PCI_CFG_DATA, length);
        return bar_access(true, get(CAP_PCI_CFG + CAP_OFFSET, 4), length, &data);
    }
    return nullptr;
}

// ---- BAR0 ---------------------------------------------------------------------------------

const char* PciTransport::mmio_read(u32 bar_offset, u32 size, u32* value)
{
    *value = 0xFFFFFFFF;
    if (!device_) return "no device";
    if (valid_size(size)) *value = size_mask(size);
    if (!bar_decoded() && valid_size(size) && bar_offset < BAR_SIZE && size <= BAR_SIZE - bar_offset)
        return nullptr;
    return bar_access(false, bar_offset, size, value);
}

const char* PciTransport::mmio_write(u32 bar_offset, u32 size, u32 value)
{
    if (!device_) return "no device";
    if (!bar_decoded() && valid_size(size) && bar_offset < BAR_SIZE && size <= BAR_SIZE - bar_offset)
        return nullptr;
    return bar_access(true, bar_offset, size, &value);
}

const char* PciTransport::bar_read(u32 offset, u32 size, u32* value)
{
    if (!device_) return Function::bar_read(offset, size, value);
    return bar_access(false, offset, size, value);
}

const char* PciTransport::bar_write(u32 offset, u32 size, u32 value)
{
    if (!device_) return Function::bar_write(offset, size, value);
    return bar_access(true, offset, size, &value);
}

const char* PciTransport::bar_access(bool write, u32 offset, u32 size, u32* value)
{
    const char* verb = write ? "write" : "read";
    if (!valid_size(size)) return fail("BAR0: %u-byte %s at 0x%x", size, verb, offset);
    if (offset >= BAR_SIZE || size > BAR_SIZE - offset)
        return fail("BAR0: %u-byte %s at 0x%x is beyond the BAR (%u bytes)", size, verb, offset, BAR_SIZE);
    if (write) *value &= size_mask(size);

    struct Region {
        u32 start, length;
        const char* name;
    } const regions[] = {
        {COMMON_CFG_OFFSET, COMMON_CFG_LENGTH, "common configuration"},
        {ISR_CFG_OFFSET, ISR_CFG_LENGTH, "ISR"},
        {NOTIFY_CFG_OFFSET, NOTIFY_OFF_MULTIPLIER * device_->queue_count, "notify"},
        {DEVICE_CFG_OFFSET, device_->config_size, "device configuration"},
    };
    const Region* region = nullptr;
    for (const Region& r : regions) {
        if (!overlaps(offset, size, r.start, r.length)) continue;
        if (offset < r.start || offset + size > r.start + r.length)
            return fail("BAR0: %u-byte %s at 0x%x straddles the %s (0x%x +%u)", size, verb, offset, r.name,
                        r.start, r.length);
        region = &r;
    }
    if (!region) { // padding
        if (!write) *value = 0;
        return nullptr;
    }
    u32 inside = offset - region->start;
    switch (region->start) {
    case COMMON_CFG_OFFSET:
        return write ? common_write(inside, size, *value) : common_read(inside, size, value);
    case ISR_CFG_OFFSET:
        if (!write) {
            *value = isr_;
            isr_ = 0;
        }
        return nullptr;
    case NOTIFY_CFG_OFFSET: {
        if (size != 2 || inside % 2)
            return fail("BAR0: %u-byte %s at 0x%x: notify takes 2-byte accesses", size, verb, offset);
        u32 index = inside / NOTIFY_OFF_MULTIPLIER;
        if (!write) {
            *value = 0;
            return nullptr;
        }
        if (!queues_[index].enabled()) return nullptr;
        return device_->queue_notified(index);
    }
    default: // the device configuration
        if (write) return device_->write_config(inside, size, *value);
        *value = 0;
        if (const char* error = device_->read_config(inside, size, value)) return error;
        *value &= size_mask(size);
        return nullptr;
    }
}

// ---- common configuration ------------------------------------------------------------------

const char* PciTransport::common_read(u32 offset, u32 size, u32* value)
{
    const Field* f = common_field(offset);
    if (!f || f->offset != offset || f->width != size)
        return fail("common configuration: %u-byte read at 0x%x is not a whole field%s%s", size, offset,
                    f ? ": " : "", f ? f->name : "");
    bool valid = queue_select_ < device_->queue_count;
    const Virtqueue& q = queues_[valid ? queue_select_ : 0];
    u64 offered = offered_features();
    u32 v = 0;
    switch (offset) {
    case DEVICE_FEATURE_SELECT: v = device_feature_select_; break;
    case DEVICE_FEATURE: v = device_feature_select_ < 2 ? get_half(offered, device_feature_select_) : 0; break;
    case DRIVER_FEATURE_SELECT: v = driver_feature_select_; break;
    case DRIVER_FEATURE: v = driver_feature_select_ < 2 ? get_half(driver_features_, driver_feature_select_) : 0; break;
    case MSIX_CONFIG: v = NO_VECTOR; break;
    case NUM_QUEUES: v = device_->queue_count; break;
    case DEVICE_STATUS: v = status_; break;
    case CONFIG_GENERATION: v = generation_; break;
    case QUEUE_SELECT: v = queue_select_; break;
    case QUEUE_SIZE: v = valid ? q.size : 0; break;
    case QUEUE_MSIX_VECTOR: v = NO_VECTOR; break;
    case QUEUE_ENABLE: v = valid && q.enabled(); break;
    case QUEUE_NOTIFY_OFF: v = valid ? queue_select_ : 0; break;
    case QUEUE_DESC_LO: case QUEUE_DESC_HI: v = valid ? get_half(q.desc_gpa, offset == QUEUE_DESC_HI) : 0; break;
    case QUEUE_DRIVER_LO: case QUEUE_DRIVER_HI: v = valid ? get_half(q.avail_gpa, offset == QUEUE_DRIVER_HI) : 0; break;
    case QUEUE_DEVICE_LO: case QUEUE_DEVICE_HI: v = valid ? get_half(q.used_gpa, offset == QUEUE_DEVICE_HI) : 0; break;
    }
    *value = v;
    return nullptr;
}

const char* PciTransport::common_write(u32 offset, u32 size, u32 value)
{
    const Field* f = common_field(offset);
    if (!f || f->offset != offset || f->width != size)
        return fail("common configuration: %u-byte write at 0x%x is not a whole field%s%s", size, offset,
                    f ? ": " : "", f ? f->name : "");
    bool valid = queue_select_ < device_->queue_count;
    Virtqueue& q = queues_[valid ? queue_select_ : 0];
    bool configurable = valid && !q.enabled();
    switch (offset) {
    case DEVICE_FEATURE_SELECT: device_feature_select_ = value; break;
    case DRIVER_FEATURE_SELECT: driver_feature_select_ = value; break;
    case DRIVER_FEATURE:
        if (driver_feature_select_ < 2 && !(status_ & STATUS_FEATURES_OK))
            driver_features_ = set_half(driver_features_, driver_feature_select_, value);
        break;
    case DEVICE_STATUS: return write_status(static_cast<u8>(value));
    case QUEUE_SELECT: queue_select_ = static_cast<u16>(value); break;
    case QUEUE_SIZE:
        if (configurable) q.size = value;
        break;
    case QUEUE_ENABLE:
        if (configurable && value == 1) return q.enable();
        break;
    case QUEUE_DESC_LO: case QUEUE_DESC_HI:
        if (configurable) q.desc_gpa = set_half(q.desc_gpa, offset == QUEUE_DESC_HI, value);
        break;
    case QUEUE_DRIVER_LO: case QUEUE_DRIVER_HI:
        if (configurable) q.avail_gpa = set_half(q.avail_gpa, offset == QUEUE_DRIVER_HI, value);
        break;
    case QUEUE_DEVICE_LO: case QUEUE_DEVICE_HI:
        if (configurable) q.used_gpa = set_half(q.used_gpa, offset == QUEUE_DEVICE_HI, value);
        break;
    default: // device_feature, num_queues, config_generation, queue_notify_off,
             // msix_config, queue_msix_vector: ignored
        break;
    }
    return nullptr;
}

const char* PciTransport::write_status(u8 value)
{
    if (value == 0) {
        reset_device();
        return nullptr;
    }
    u8 added = static_cast<u8>(value & ~status_);
    if (added & STATUS_FEATURES_OK) {
        u64 offered = offered_features();
        bool acceptable = !(driver_features_ & ~offered) && (driver_features_ & FEATURE_VERSION_1);
        if (!acceptable) {
            value = static_cast<u8>(value & ~STATUS_FEATURES_OK);
            added = static_cast<u8>(added & ~STATUS_FEATURES_OK);
        }
    }
    status_ = value;
    if (added & STATUS_DRIVER_OK) return device_->driver_ready();
    return nullptr;
}

} // namespace virtio
