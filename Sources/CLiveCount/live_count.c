// The live counter's loader: libbpf opens the embedded object (bpf_object__open_mem), fixes CO-RE offsets
// against the running kernel's BTF, loads and attaches it; the count array is mapped read-write so the seed
// can be added in place. C, not Swift: libbpf's print callback is variadic.
#include "CLiveCount.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "live_count.bpf.inc"

struct wst_live {
    struct bpf_object *object;
    struct bpf_link *link;
    int64_t *cells;
    size_t mapped_bytes;
    uint32_t program_id;
    int program_fd;
    int config_fd;
    uint64_t generation;
};

// libbpf's last warning, kept for the reason of a failure (libbpf prints to stderr by default).
static _Thread_local char last_message[256];

static int keep_message(enum libbpf_print_level level, const char *format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char line[256];
    vsnprintf(line, sizeof line, format, args);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' ')) line[--n] = 0;
    if (n > 0) snprintf(last_message, sizeof last_message, "%s", line);
    return 0;
}

static wst_live *fail(wst_live *live, char *reason, size_t length, const char *step, int error) {
    if (error < 0) error = -error;
    if (last_message[0])
        snprintf(reason, length, "%s: %s (%s)", step, strerror(error), last_message);
    else
        snprintf(reason, length, "%s: %s", step, strerror(error));
    wst_live_close(live);
    return NULL;
}

wst_live *wst_live_open(uint64_t netns_inode, char *reason, size_t reason_length) {
    last_message[0] = 0;
    libbpf_set_print(keep_message);
    wst_live *live = calloc(1, sizeof *live);
    if (!live) return fail(NULL, reason, reason_length, "calloc", ENOMEM);
    LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = "wst_live_count");
    live->object = bpf_object__open_mem(wst_live_count_object, sizeof wst_live_count_object, &options);
    if (!live->object) return fail(live, reason, reason_length, "open the BPF object", errno);
    int rc = bpf_object__load(live->object);
    if (rc) return fail(live, reason, reason_length, "load the BPF program", rc);
    struct bpf_map *config = bpf_object__find_map_by_name(live->object, "wst_config");
    struct bpf_map *counts = bpf_object__find_map_by_name(live->object, "counts");
    struct bpf_program *program = bpf_object__find_program_by_name(live->object, "wst_set_state");
    if (!config || !counts || !program) return fail(live, reason, reason_length, "find maps and program", ENOENT);
    uint32_t zero = 0;
    live->config_fd = bpf_map__fd(config);
    live->program_fd = bpf_program__fd(program);
    if (bpf_map_update_elem(live->config_fd, &zero, &netns_inode, BPF_ANY))
        return fail(live, reason, reason_length, "write the namespace", errno);
    live->mapped_bytes = (size_t)WST_LIVE_SLOTS * sizeof(int64_t);
    void *cells = mmap(NULL, live->mapped_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(counts), 0);
    if (cells == MAP_FAILED) return fail(live, reason, reason_length, "mmap the counts", errno);
    live->cells = cells;
    live->link = bpf_program__attach_raw_tracepoint(program, "inet_sock_set_state");
    if (!live->link) return fail(live, reason, reason_length, "attach to sock:inet_sock_set_state", errno);
    struct bpf_prog_info info;
    uint32_t info_length = sizeof info;
    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &info_length) == 0) live->program_id = info.id;
    return live;
}

const int64_t *wst_live_cells(const wst_live *live) { return live->cells; }

void wst_live_add(wst_live *live, uint32_t slot, int64_t delta) {
    if (slot < WST_LIVE_SLOTS) __atomic_fetch_add(&live->cells[slot], delta, __ATOMIC_RELAXED);
}

uint32_t wst_live_program_id(const wst_live *live) { return live->program_id; }

uint64_t wst_live_missed_events(const wst_live *live) {
    struct bpf_prog_info info;
    uint32_t info_length = sizeof info;
    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(live->program_fd, &info, &info_length) != 0) return 0;
    return info.recursion_misses;
}

int wst_live_reset(wst_live *live) {
    uint32_t one = 1;
    live->generation = (live->generation + 1) & 0xffff;
    if (bpf_map_update_elem(live->config_fd, &one, &live->generation, BPF_ANY)) return -errno;
    for (size_t i = 0; i < WST_LIVE_SLOTS; i++) __atomic_store_n(&live->cells[i], 0, __ATOMIC_RELAXED);
    return 0;
}

void wst_live_close(wst_live *live) {
    if (!live) return;
    if (live->link) bpf_link__destroy(live->link);
    if (live->cells) munmap(live->cells, live->mapped_bytes);
    if (live->object) bpf_object__close(live->object);
    free(live);
}
