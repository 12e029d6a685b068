#include "CSockDiag.h"
#include <libmnl/libmnl.h>
size_t wst_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
