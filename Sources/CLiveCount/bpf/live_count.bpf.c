// SPDX-License-Identifier: GPL-2.0
// wstune's live socket counter: on every TCP state change (tracepoint sock:inet_sock_set_state) of a socket in
// one network namespace, moves one count from the socket's old (state, port) cell to its new one, for the local
// and the remote port. User space seeds the cells once from a sock_diag dump and then only reads them (the
// array is mmap-able), so a refresh costs the same at 10 or 10 million sockets.
//
// Built by scripts/bpf-build (clang -target bpf, CO-RE against /sys/kernel/btf/vmlinux) into live_count.bpf.inc,
// the object's bytes that CLiveCount embeds and loads with bpf_object__open_mem.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "../include/live_count_layout.h"

char LICENSE[] SEC("license") = "GPL";

// TCP states (include/net/tcp_states.h; vmlinux.h has them as an enum without these names on every kernel).
#define ST_ESTABLISHED 1
#define ST_SYN_RECV 3
#define ST_FIN_WAIT2 5
#define ST_TIME_WAIT 6
#define ST_CLOSE 7
#define ST_LISTEN 10
#define ST_NEW_SYN_RECV 12
#define PROTO_TCP 6
#define FAMILY_INET 2
#define FAMILY_INET6 10

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, WST_LIVE_SLOTS);
    __type(key, __u32);
    __type(value, __s64);
    __uint(map_flags, BPF_F_MMAPABLE);
} counts SEC(".maps");

// The cell each socket was counted in (state << 32 | remote port << 16 | local port), keyed by the socket's
// address: ports can change between two events of one socket (connect() picks its local port after the
// SYN_SENT event), and the count must leave the cell it entered. Entries go when the socket closes.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, WST_LIVE_MAX_SOCKETS);
    __type(key, __u64);
    __type(value, __u64);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} sockets SEC(".maps");

// [0]: the inode number of the network namespace to count (user space writes it before attaching).
// [1]: the generation: user space bumps it when it zeroes the cells and seeds them again (after the kernel
// skipped events: a program interrupted on its CPU by a softirq that changes another socket's state does not
// run again inside itself, and the kernel counts a recursion miss). A socket's entry of an older generation
// counts as absent.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} wst_config SEC(".maps");

// Full sockets in these states are seen by the tracepoint. SYN-RECV (request sockets), TIME-WAIT and FIN-WAIT-2
// are (or can be) mini sockets that never pass through it: an orphaned FIN-WAIT-2 socket becomes a timewait
// socket in substate FIN-WAIT-2 at once (tcp_time_wait), which ss still shows as FIN-WAIT-2. User space counts
// those three states with a dump restricted to them.
static __always_inline int tracked(int state) {
    return state > 0 && state < 12 && state != ST_CLOSE && state != ST_SYN_RECV && state != ST_TIME_WAIT &&
           state != ST_FIN_WAIT2;
}

static __always_inline void add(__u32 slot, __s64 delta) {
    __s64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v) __sync_fetch_and_add(v, delta);
}

static __always_inline void move_cell(__u64 cell, __s64 delta) {
    __u32 state = (cell >> 32) & 0xf;
    __u32 lport = cell & 0xffff;
    __u32 rport = (cell >> 16) & 0xffff;
    add(WST_LIVE_SLOT(0, state, lport), delta);
    add(WST_LIVE_SLOT(1, state, rport), delta);
    add(WST_LIVE_TOTAL(state), delta);
}

static __always_inline void count_row(__u32 row, __u64 cell) {
    add(WST_LIVE_SLOT(0, row, cell & 0xffff), 1);
    add(WST_LIVE_SLOT(1, row, (cell >> 16) & 0xffff), 1);
    add(WST_LIVE_TOTAL(row), 1);
}

// A raw tracepoint (the same sock:inet_sock_set_state, attached by name): it needs no tracefs mount, and its
// arguments are the tracepoint's prototype (sk, oldstate, newstate); the fields the tracepoint's own record
// holds are read here the way its TP_fast_assign reads them.
SEC("raw_tracepoint/inet_sock_set_state")
int wst_set_state(struct bpf_raw_tracepoint_args *ctx) {
    const struct sock *sk = (const struct sock *)ctx->args[0];
    int old = (int)ctx->args[1], new = (int)ctx->args[2];
    if (BPF_CORE_READ(sk, sk_protocol) != PROTO_TCP) return 0;
    __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
    if (family != FAMILY_INET && family != FAMILY_INET6) return 0;
    __u32 zero = 0, one = 1;
    __u64 *want = bpf_map_lookup_elem(&wst_config, &zero);
    __u64 *generation = bpf_map_lookup_elem(&wst_config, &one);
    if (!want || !generation) return 0;
    __u64 gen = (*generation & 0xffff) << 40;
    __u32 inum = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
    if ((__u64)inum != *want) return 0;
    add(WST_LIVE_EVENTS, 1);
    __u16 sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
    __u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));

    __u64 key = (__u64)sk;
    __u64 *prev = bpf_map_lookup_elem(&sockets, &key);
    if (prev && (*prev & (0xffffull << 40)) != gen) prev = 0;
    __u64 oldcell = 0;
    if (prev) {
        oldcell = *prev & 0xffffffffffull;
        move_cell(oldcell, -1);
    } else if (tracked(old) && !(old == ST_LISTEN && new == ST_SYN_RECV)) {
        // A socket that was there before the program: the seed dump counted it where its ports say now.
        // (A listener's new child reports the listener's state as its old one: not a change of the listener.)
        oldcell = ((__u64)old << 32) | ((__u64)dport << 16) | sport;
        move_cell(oldcell, -1);
    }
    if (old == ST_ESTABLISHED && new != ST_ESTABLISHED) count_row(WST_LIVE_ROW_CLOSED, oldcell ? oldcell
        : (((__u64)dport << 16) | sport));
    if (tracked(new)) {
        __u64 cell = ((__u64)new << 32) | ((__u64)dport << 16) | sport;
        move_cell(cell, 1);
        if (new == ST_ESTABLISHED && old != ST_ESTABLISHED) count_row(WST_LIVE_ROW_OPENED, cell);
        __u64 stored = cell | gen;
        if (bpf_map_update_elem(&sockets, &key, &stored, BPF_ANY) != 0) add(WST_LIVE_UNTRACKED, 1);
    } else {
        bpf_map_delete_elem(&sockets, &key);
    }
    return 0;
}
