#ifndef CSOCKDIAG_H
#define CSOCKDIAG_H
#include <stddef.h>
#include <stdint.h>

/// Size of a libmnl receive buffer (MNL_SOCKET_BUFFER_SIZE is a function-like macro).
size_t wst_mnl_socket_buffer_size(void);

/// Mask clearing NLA_F_NESTED and NLA_F_NET_BYTEORDER from an attribute type.
uint16_t wst_nla_type_mask(void);

/// CPUs this process may run on (CPU_COUNT of sched_getaffinity, a macro over a _GNU_SOURCE call); 0 on error.
int wst_usable_cpus(void);
#endif
