// The bare reference: the same sock_diag dump `ss -Htn state established '( sport = :P )'` sends (AF_INET,
// then AF_INET6; established only; the S_COND port bytecode; no extensions), over libmnl, only counting.
// usage: mnlcount PORT
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int count_cb(const struct nlmsghdr *nlh, void *data) {
    (void)nlh;
    (*(long *)data)++;
    return MNL_CB_OK;
}

static long dump(struct mnl_socket *nl, int family, int port) {
    char buf[32768];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    unsigned seq = nlh->nlmsg_seq = (unsigned)time(NULL) + family;
    struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);
    req->sdiag_family = family;
    req->sdiag_protocol = IPPROTO_TCP;
    req->idiag_states = 1 << 1;  // TCP_ESTABLISHED
    struct {
        struct inet_diag_bc_op op;
        struct inet_diag_hostcond cond;
        uint32_t addr;
    } bc = {{INET_DIAG_BC_S_COND, sizeof bc, sizeof bc + 4}, {AF_UNSPEC, 0, port}, 0};
    mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, sizeof bc, &bc);
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) { perror("sendto"); exit(2); }
    unsigned portid = mnl_socket_get_portid(nl);
    long count = 0;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n < 0) { perror("recvfrom"); exit(2); }
        int rc = mnl_cb_run(buf, n, seq, portid, count_cb, &count);
        if (rc == MNL_CB_STOP) break;
        if (rc < 0) { perror("mnl_cb_run"); exit(2); }
    }
    return count;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: mnlcount PORT\n"); return 2; }
    int port = atoi(argv[1]);
    struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
    if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) { perror("netlink"); return 2; }
    long total = dump(nl, AF_INET, port) + dump(nl, AF_INET6, port);
    printf("%ld\n", total);
    mnl_socket_close(nl);
    return 0;
}
