#ifndef CLIVECOUNT_H
#define CLIVECOUNT_H
#include <stddef.h>
#include <stdint.h>
#include "live_count_layout.h"

/// The layout's computed slots, as constants Swift can import (it imports only simple macros).
static const uint32_t wst_live_totals_base = WST_LIVE_TOTALS_BASE;
static const uint32_t wst_live_events_slot = WST_LIVE_EVENTS;
static const uint32_t wst_live_untracked_slot = WST_LIVE_UNTRACKED;

/// A loaded and attached live counter (the BPF program of bpf/live_count.bpf.c) and its mapped count array.
typedef struct wst_live wst_live;

/// Loads the embedded program, points it at the network namespace with inode `netns_inode`, attaches it to
/// sock:inet_sock_set_state and maps its counts. NULL on failure, with the reason (libbpf's last message and
/// the errno text) in `reason`.
wst_live *wst_live_open(uint64_t netns_inode, char *reason, size_t reason_length);

/// The count array (WST_LIVE_SLOTS signed 64-bit cells, updated by the kernel as sockets change state).
const int64_t *wst_live_cells(const wst_live *live);

/// Adds `delta` to one cell (the seed dump; atomic against the program's own updates).
void wst_live_add(wst_live *live, uint32_t slot, int64_t delta);

/// The kernel's id of the loaded program (what `bpftool prog show id N` shows).
uint32_t wst_live_program_id(const wst_live *live);

/// Events the kernel did not run the program for (recursion misses: see the BPF source).
uint64_t wst_live_missed_events(const wst_live *live);

/// Starts a new generation: zeroes every cell and makes every per-socket entry count as absent, before a new
/// seed dump. 0, or a negative errno.
int wst_live_reset(wst_live *live);

/// Detaches and unloads the program, unmaps and frees. NULL is fine.
void wst_live_close(wst_live *live);
#endif
