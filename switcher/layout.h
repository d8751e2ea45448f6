/* switcher/layout.h: where the switcher lives, in the host's address space
 * and in every guest's: the top 4 MiB slot, directory entry 1023.
 *
 *   0xFFC00000  switcher text, 2 pages      read-only everywhere
 *   0xFFC02000  register page of the guest  read-write (supervisor)
 *   0xFFC03000  state page of the guest     read-only to the guest
 *
 * Plain #defines: the assembly uses them too. */
#pragma once

#define SWITCHER_BASE 0xFFC00000
#define SWITCHER_TEXT_PAGES 2
#define SWITCHER_REGS_PAGE (SWITCHER_BASE + SWITCHER_TEXT_PAGES * 4096)
#define SWITCHER_STATE_PAGE (SWITCHER_REGS_PAGE + 4096)
#define SWITCHER_PAGES (SWITCHER_TEXT_PAGES + 2)
