// The bare reference for conntrack: one raw libmnl IPCTNL_MSG_CT_GET dump (all families), counting TCP entries by
// state (CTA_PROTOINFO > CTA_PROTOINFO_TCP > CTA_PROTOINFO_TCP_STATE), as `wstune count --conntrack` does.
// usage: ctcount            prints "total tcp-established"
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct tally { long total; long states[16]; };

static int tcp_cb(const struct nlattr *a, void *data) {
    if (mnl_attr_get_type(a) == CTA_PROTOINFO_TCP_STATE) *(int *)data = mnl_attr_get_u8(a);
    return MNL_CB_OK;
}
static int protoinfo_cb(const struct nlattr *a, void *data) {
    if (mnl_attr_get_type(a) == CTA_PROTOINFO_TCP) mnl_attr_parse_nested(a, tcp_cb, data);
    return MNL_CB_OK;
}
static int top_cb(const struct nlattr *a, void *data) {
    if (mnl_attr_get_type(a) == CTA_PROTOINFO) mnl_attr_parse_nested(a, protoinfo_cb, data);
    return MNL_CB_OK;
}
static int entry_cb(const struct nlmsghdr *nlh, void *data) {
    struct tally *t = data;
    int state = -1;
    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), top_cb, &state);
    t->total++;
    if (state >= 0) t->states[state & 15]++;
    return MNL_CB_OK;
}

int main(void) {
    struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
    if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) { perror("netlink"); return 2; }
    char buf[32768];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    unsigned seq = nlh->nlmsg_seq = (unsigned)time(NULL);
    struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) { perror("sendto"); return 2; }
    struct tally t = {0};
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n < 0) { perror("recvfrom"); return 2; }
        int rc = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), entry_cb, &t);
        if (rc == MNL_CB_STOP) break;
        if (rc < 0) { perror("mnl_cb_run"); return 2; }
    }
    printf("%ld %ld\n", t.total, t.states[3]);
    mnl_socket_close(nl);
    return 0;
}
