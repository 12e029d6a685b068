#ifndef CSOCKDIAG_H
#define CSOCKDIAG_H
#include <stddef.h>
/// Size of a libmnl receive buffer (MNL_SOCKET_BUFFER_SIZE is a function-like macro).
size_t wst_mnl_socket_buffer_size(void);
#endif
