#ifndef WST_WALK_COUNT_LAYOUT_H
#define WST_WALK_COUNT_LAYOUT_H
// The one-shot socket walk's tally (bpf/walk_count.bpf.c), an mmap-able array of 64-bit cells shared with user
// space: sockets per state, per port (all matching states, and established only), the established sockets' queue
// figures, and the sockets the walk visited.
#define WST_WALK_STATE(state) (state)
#define WST_WALK_BY_PORT(port) (16u + (port))
#define WST_WALK_ESTABLISHED_BY_PORT(port) (16u + 65536u + (port))
#define WST_WALK_QUEUE_BASE (16u + 2u * 65536u)
#define WST_WALK_RQUEUE_OVER (WST_WALK_QUEUE_BASE + 0u)
#define WST_WALK_WQUEUE_OVER (WST_WALK_QUEUE_BASE + 1u)
#define WST_WALK_WQUEUE_NONEMPTY (WST_WALK_QUEUE_BASE + 2u)
#define WST_WALK_RQUEUE_MAX (WST_WALK_QUEUE_BASE + 3u)
#define WST_WALK_WQUEUE_MAX (WST_WALK_QUEUE_BASE + 4u)
#define WST_WALK_VISITED (WST_WALK_QUEUE_BASE + 5u)
#define WST_WALK_SLOTS (WST_WALK_QUEUE_BASE + 8u)

/// What the walk counts (the one entry of its `walk_config` map).
struct wst_walk_config {
    unsigned int states;       // bit 1 << TCP state, as inet_diag_req_v2.idiag_states
    unsigned int families;     // bit 0 AF_INET, bit 1 AF_INET6
    unsigned int remote;       // match and group by the remote port instead of the local one
    unsigned int have_ports;   // 0: every port matches; else only the ports set in walk_ports
    unsigned int by_port;      // keep WST_WALK_BY_PORT cells
    unsigned int established_by_port;
    unsigned int queue_threshold;
    unsigned int reserved;
};

/// The wanted ports, one bit each (the one entry of its `walk_ports` map).
struct wst_walk_ports {
    unsigned int bits[2048];
};
#endif
