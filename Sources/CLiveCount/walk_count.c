// The one-shot socket walk's loader: loads the iter/tcp program (bpf/walk_count.bpf.c) through its light skeleton
// (walk_count.lskel.h, made by `bpftool gen skeleton -L` in scripts/bpf-build), writes the query into its config
// maps, attaches it as an iterator, reads the iterator to its end (the reading runs the walk) and copies the tally
// out; everything is closed again before it returns, so nothing stays loaded.
//
// Why a light skeleton and not bpf_object__load like the live counter: libbpf's loader reads and parses the
// kernel's whole BTF (5.5 MB through /sys in 4 KiB reads, then 126k types checked: about 20 ms here) for the CO-RE
// offsets and the iterator's attach point, which is most of a one-shot count's time. The light skeleton's loader
// program hands the CO-RE records to the kernel, which resolves them against the BTF it already holds (kernel
// 5.17 and later): about 3 ms in all (Benchmarks/count).
#include "CLiveCount.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "walk_count.lskel.h"

static int walk_fail(char *reason, size_t length, const char *step, int error) {
    if (error < 0) error = -error;
    if (error == 0) error = EIO;
    snprintf(reason, length, "%s: %s", step, strerror(error));
    return -error;
}

int wst_walk_count(const struct wst_walk_config *config, const uint16_t *ports, size_t port_count, uint64_t *tally,
                   char *reason, size_t reason_length) {
    int rc = 0;
    int iter_fd = -1;
    void *cells = MAP_FAILED;
    size_t mapped_bytes = (size_t)WST_WALK_SLOTS * sizeof(uint64_t);
    struct wst_walk *skel = wst_walk__open();
    if (!skel) return walk_fail(reason, reason_length, "allocate the BPF skeleton", ENOMEM);
    errno = 0;
    if ((rc = wst_walk__load(skel))) {
        rc = walk_fail(reason, reason_length, "load the BPF iterator", errno ? errno : rc);
        goto out;
    }
    uint32_t zero = 0;
    if (bpf_map_update_elem(skel->maps.walk_config.map_fd, &zero, config, BPF_ANY)) {
        rc = walk_fail(reason, reason_length, "write the query", errno);
        goto out;
    }
    if (config->have_ports) {
        struct wst_walk_ports wanted;
        memset(&wanted, 0, sizeof wanted);
        for (size_t i = 0; i < port_count; i++) wanted.bits[ports[i] >> 5] |= 1u << (ports[i] & 31);
        if (bpf_map_update_elem(skel->maps.walk_ports.map_fd, &zero, &wanted, BPF_ANY)) {
            rc = walk_fail(reason, reason_length, "write the ports", errno);
            goto out;
        }
    }
    cells = mmap(NULL, mapped_bytes, PROT_READ, MAP_SHARED, skel->maps.walk_tally.map_fd, 0);
    if (cells == MAP_FAILED) {
        rc = walk_fail(reason, reason_length, "mmap the tally", errno);
        goto out;
    }
    if (wst_walk__attach(skel) < 0) {
        rc = walk_fail(reason, reason_length, "attach the iterator", errno);
        goto out;
    }
    iter_fd = bpf_iter_create(skel->links.wst_walk_fd);
    if (iter_fd < 0) {
        rc = walk_fail(reason, reason_length, "create the iterator", errno);
        goto out;
    }
    // The program prints nothing, so one read() walks everything; the kernel ends a read that visited
    // MAX_ITER_OBJECTS (a million) objects without output with EAGAIN, and the next read goes on from there.
    char buffer[64];
    for (;;) {
        ssize_t n = read(iter_fd, buffer, sizeof buffer);
        if (n > 0) continue;
        if (n == 0) break;
        if (errno == EAGAIN || errno == EINTR) continue;
        rc = walk_fail(reason, reason_length, "read the iterator", errno);
        goto out;
    }
    memcpy(tally, cells, mapped_bytes);
out:
    if (iter_fd >= 0) close(iter_fd);
    if (cells != MAP_FAILED) munmap(cells, mapped_bytes);
    wst_walk__destroy(skel);
    return rc;
}
