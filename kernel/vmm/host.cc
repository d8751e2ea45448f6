#include "vmm/host.h"
#include "console/log.h"
namespace host {
bool run(const multiboot::Module*, u32 count, const KernelOptions&)
{
    console::stable("all guests finished: 0 powered off, 0 killed, %u rejected", count);
    return false;
}
}
