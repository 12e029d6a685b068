// The floor of a WebSocket handshake client (issue 17 item 4, Benchmarks/check section 2): what any client must
// spend per handshake against the same server, with nothing of its own on top. One thread, epoll, non-blocking
// connect, one fixed upgrade request written whole, the 101 answer read until its blank line, then the socket
// held open. No allocation per connection, no timers, no parsing beyond "HTTP/1.1 101" and "\r\n\r\n".
// Prints one JSON line like python_ramp.py: {"connected", "failed", "seconds", "handshakes_per_second"}.
// Bounded: --connections in total, --timeout seconds overall. Loopback only (the URL's host must be 127.x).
//
// usage: floor_client ws://127.0.0.1:PORT/PATH --connections N [--in-flight K] [--timeout S]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING = 1, READING = 2, OPEN = 3 };
struct conn { int fd; int state; int got; char tail[4]; };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s ws://127.0.0.1:PORT/PATH --connections N\n", argv[0]); return 2; }
    long n = 0, inflight = 2000; double timeout = 300;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--connections")) n = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--in-flight")) inflight = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--timeout")) timeout = atof(argv[i + 1]);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    char host[64] = {0}, path[256] = "/"; int port = 0;
    if (sscanf(argv[1], "ws://%63[^:]:%d%255s", host, &port, path) < 2 || strncmp(host, "127.", 4) != 0 ||
        port <= 0 || port > 65535 || n <= 0 || n > 1000000 || inflight <= 0) {
        fprintf(stderr, "bad arguments (loopback ws:// URL, 0 < connections <= 1e6)\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    char req[512];
    int reqlen = snprintf(req, sizeof req,
                          "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                          path, host, port);
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    long started = 0, connected = 0, failed = 0, active = 0;
    double start = now(), last = start;
    struct epoll_event evs[256];
    while (connected + failed < n && now() - start < timeout) {
        while (started < n && active < inflight) {
            struct conn *c = &conns[started];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            int one = 1;
            setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS)) {
                if (c->fd >= 0) close(c->fd);
                failed++; started++;
                continue;
            }
            c->state = CONNECTING;
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u64 = (uint64_t)started};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            started++; active++;
        }
        int k = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < k; i++) {
            struct conn *c = &conns[evs[i].data.u64];
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) goto fail;
            if (c->state == CONNECTING && (evs[i].events & EPOLLOUT)) {
                if (write(c->fd, req, (size_t)reqlen) != reqlen) goto fail;
                c->state = READING;
                struct epoll_event ev = {.events = EPOLLIN, .data.u64 = evs[i].data.u64};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
            if (c->state == READING && (evs[i].events & EPOLLIN)) {
                char buf[1024];
                ssize_t r = read(c->fd, buf, sizeof buf);
                if (r <= 0) goto fail;
                if (c->got == 0 && (r < 12 || memcmp(buf, "HTTP/1.1 101", 12) != 0)) goto fail;
                for (ssize_t j = 0; j < r; j++) {
                    memmove(c->tail, c->tail + 1, 3);
                    c->tail[3] = buf[j];
                }
                c->got += (int)r;
                if (memcmp(c->tail, "\r\n\r\n", 4) == 0) {
                    c->state = OPEN;
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                    connected++; active--;
                    last = now();
                }
            }
            continue;
        fail:
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->state = 0;
            failed++; active--;
        }
    }
    double seconds = last - start > 1e-6 ? last - start : 1e-6;
    printf("{\"connected\": %ld, \"failed\": %ld, \"seconds\": %.3f, \"handshakes_per_second\": %.1f}\n", connected,
           failed + (n - connected - failed), seconds, connected / seconds);
    fflush(stdout);
    for (long i = 0; i < started; i++)
        if (conns[i].state == OPEN) close(conns[i].fd);
    return 0;
}
