#ifndef WST_LIVE_COUNT_LAYOUT_H
#define WST_LIVE_COUNT_LAYOUT_H
// The layout of the live counter's mmap-able array, shared by the BPF program and user space.
// [side: 0 local port, 1 remote port][row: TCP state 1-11, or OPENED / CLOSED][port 0-65535], then totals per
// row (both sides count each socket once per side, the totals once), then bookkeeping.
#define WST_LIVE_PORTS 65536u
#define WST_LIVE_ROWS 16u
#define WST_LIVE_ROW_OPENED 14u
#define WST_LIVE_ROW_CLOSED 15u
#define WST_LIVE_SLOT(side, row, port) ((side) * WST_LIVE_ROWS * WST_LIVE_PORTS + (row) * WST_LIVE_PORTS + (port))
#define WST_LIVE_TOTALS_BASE (2u * WST_LIVE_ROWS * WST_LIVE_PORTS)
#define WST_LIVE_TOTAL(row) (WST_LIVE_TOTALS_BASE + (row))
/// Events seen in the namespace, and sockets the per-socket map had no room for (counted by their ports then).
#define WST_LIVE_EVENTS (WST_LIVE_TOTALS_BASE + 16u)
#define WST_LIVE_UNTRACKED (WST_LIVE_TOTALS_BASE + 17u)
#define WST_LIVE_SLOTS (WST_LIVE_TOTALS_BASE + 32u)
/// Entries of the per-socket map (allocated as used, not up front).
#define WST_LIVE_MAX_SOCKETS (4u * 1024u * 1024u)
#endif
