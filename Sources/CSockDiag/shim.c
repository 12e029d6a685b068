// The one C shim: only what Swift cannot import (function-like macros, offsetof), each checked at compile time.
#define _GNU_SOURCE
#include "CSockDiag.h"
#include <sched.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <linux/netfilter/nfnetlink.h>

// The Swift side reads these structures with the layouts below; a different kernel ABI fails the build here.
_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr is 16 bytes");
_Static_assert(sizeof(struct inet_diag_msg) == 72, "inet_diag_msg is 72 bytes");
_Static_assert(sizeof(struct inet_diag_req_v2) == 56, "inet_diag_req_v2 is 56 bytes");
_Static_assert(sizeof(struct inet_diag_bc_op) == 4, "inet_diag_bc_op is 4 bytes");
_Static_assert(sizeof(struct inet_diag_hostcond) == 8, "inet_diag_hostcond is 8 bytes");
_Static_assert(sizeof(struct nfgenmsg) == 4, "nfgenmsg is 4 bytes");
_Static_assert(sizeof(struct nlattr) == 4, "nlattr is 4 bytes");
_Static_assert(offsetof(struct inet_diag_msg, idiag_state) == 1, "idiag_state offset");
_Static_assert(offsetof(struct inet_diag_msg, id.idiag_sport) == 4, "idiag_sport offset");
_Static_assert(offsetof(struct inet_diag_msg, id.idiag_dport) == 6, "idiag_dport offset");
_Static_assert(offsetof(struct inet_diag_msg, id.idiag_dst) == 24, "idiag_dst offset");
_Static_assert(offsetof(struct inet_diag_msg, id.idiag_cookie) == 44, "idiag_cookie offset");
_Static_assert(offsetof(struct inet_diag_msg, idiag_rqueue) == 56, "idiag_rqueue offset");
_Static_assert(offsetof(struct inet_diag_msg, idiag_wqueue) == 60, "idiag_wqueue offset");

size_t wst_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
uint16_t wst_nla_type_mask(void) { return (uint16_t)NLA_TYPE_MASK; }

int wst_usable_cpus(void) {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
}
