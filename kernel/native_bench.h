// kernel/native_bench.h: the native side of `make bench`, measured by the
// host in the same boot as the guests: what the same shape of operation
// costs on the bare CPU, so the guest's numbers have a floor to stand on.
#pragma once

namespace native_bench {
void run();
}
