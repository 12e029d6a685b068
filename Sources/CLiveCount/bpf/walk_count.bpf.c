// SPDX-License-Identifier: GPL-2.0
// wstune's one-shot socket count: a BPF iterator over the kernel's TCP socket tables (iter/tcp, the listening and
// established hashes of the reader's network namespace) that only tallies, so the kernel fills and copies no
// netlink record per socket. At 100k connections the sock_diag dump spends most of its time filling and copying
// the records the user space then throws away after counting (Benchmarks/count); this walk visits the same
// sockets and writes only counters.
//
// It counts a socket the way inet_diag reports it to ss: a timewait socket in its substate (an orphaned
// FIN-WAIT-2 socket becomes a timewait socket in substate FIN-WAIT-2), a request socket (NEW_SYN_RECV) as
// SYN-RECV, the queues of an established socket as tcp_diag_get_info computes them.
//
// Built by scripts/bpf-build (clang -target bpf, CO-RE against /sys/kernel/btf/vmlinux) into walk_count.bpf.inc.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../include/walk_count_layout.h"

char LICENSE[] SEC("license") = "GPL";

#define ST_ESTABLISHED 1
#define ST_SYN_RECV 3
#define ST_TIME_WAIT 6
#define ST_NEW_SYN_RECV 12
#define FAMILY_INET 2
#define FAMILY_INET6 10

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, WST_WALK_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
    __uint(map_flags, BPF_F_MMAPABLE);
} walk_tally SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct wst_walk_config);
} walk_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct wst_walk_ports);
} walk_ports SEC(".maps");

// One reader runs the iterator, so plain adds suffice.
static __always_inline void add(__u32 slot, __u64 delta) {
    __u64 *v = bpf_map_lookup_elem(&walk_tally, &slot);
    if (v) *v += delta;
}

static __always_inline void keep_max(__u32 slot, __u64 value) {
    __u64 *v = bpf_map_lookup_elem(&walk_tally, &slot);
    if (v && value > *v) *v = value;
}

SEC("iter/tcp")
int wst_walk(struct bpf_iter__tcp *ctx) {
    struct sock_common *skc = ctx->sk_common;
    if (!skc) return 0;
    __u32 zero = 0;
    struct wst_walk_config *cfg = bpf_map_lookup_elem(&walk_config, &zero);
    if (!cfg) return 0;
    add(WST_WALK_VISITED, 1);
    __u16 family = skc->skc_family;
    if (family == FAMILY_INET) {
        if (!(cfg->families & 1)) return 0;
    } else if (family == FAMILY_INET6) {
        if (!(cfg->families & 2)) return 0;
    } else {
        return 0;
    }
    __u32 state = skc->skc_state;
    if (state == ST_TIME_WAIT) {
        struct tcp_timewait_sock *tw = bpf_skc_to_tcp_timewait_sock(skc);
        if (tw) state = tw->tw_sk.tw_substate;
    } else if (state == ST_NEW_SYN_RECV) {
        state = ST_SYN_RECV;
    }
    if (state >= 16 || !(cfg->states & (1u << state))) return 0;
    __u32 port = cfg->remote ? bpf_ntohs(skc->skc_dport) : skc->skc_num;
    port &= 0xffff;
    if (cfg->have_ports) {
        struct wst_walk_ports *wanted = bpf_map_lookup_elem(&walk_ports, &zero);
        if (!wanted) return 0;
        if (!(wanted->bits[port >> 5] & (1u << (port & 31)))) return 0;
    }
    add(WST_WALK_STATE(state), 1);
    if (cfg->by_port) add(WST_WALK_BY_PORT(port), 1);
    if (state != ST_ESTABLISHED) return 0;
    if (cfg->established_by_port) add(WST_WALK_ESTABLISHED_BY_PORT(port), 1);
    struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
    if (!tp) return 0;
    // tcp_diag_get_info: rqueue = max(rcv_nxt - copied_seq, 0), wqueue = write_seq - snd_una.
    __s32 rq = (__s32)(tp->rcv_nxt - tp->copied_seq);
    if (rq < 0) rq = 0;
    __u32 wq = tp->write_seq - tp->snd_una;
    if ((__u32)rq > cfg->queue_threshold) add(WST_WALK_RQUEUE_OVER, 1);
    if (wq > cfg->queue_threshold) add(WST_WALK_WQUEUE_OVER, 1);
    if (wq > 0) add(WST_WALK_WQUEUE_NONEMPTY, 1);
    keep_max(WST_WALK_RQUEUE_MAX, (__u32)rq);
    keep_max(WST_WALK_WQUEUE_MAX, wq);
    return 0;
}
