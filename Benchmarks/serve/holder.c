// Idle-connection holder for Benchmarks/serve: opens N WebSocket connections to HOST:PORT from one source
// address, completes each handshake, then holds them idle, answering server pings with pongs. Prints
// "ready OPEN SECONDS failed FAILED" once every handshake finished, then holds until SIGTERM and prints
// "held OPEN pings PINGS" (pings answered).
// Plain C with epoll so that the load side stays small next to the servers it measures.
// Usage: holder DST_IP PORT SRC_IP N [IN_FLIGHT]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum { CONNECTING = 1, AWAIT_101 = 2, OPEN = 3, DEAD = 4 };
typedef struct { unsigned char state; unsigned short got; } conn_t;

static volatile sig_atomic_t stop_flag = 0;
static void on_term(int s) { (void)s; stop_flag = 1; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: holder DST_IP PORT SRC_IP N [IN_FLIGHT]\n"); return 2; }
    const char *dst = argv[1];
    int port = atoi(argv[2]);
    const char *src = argv[3];
    int n = atoi(argv[4]);
    int inflight_max = argc > 5 ? atoi(argv[5]) : 256;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in daddr = {0}, saddr = {0};
    daddr.sin_family = AF_INET;
    daddr.sin_port = htons(port);
    inet_pton(AF_INET, dst, &daddr.sin_addr);
    saddr.sin_family = AF_INET;
    inet_pton(AF_INET, src, &saddr.sin_addr);

    char req[512];
    int reqlen = snprintf(req, sizeof req,
        "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", dst, port);

    int ep = epoll_create1(0);
    int maxfd = 65536;
    conn_t *conns = calloc(maxfd, sizeof(conn_t));
    int started = 0, open_count = 0, failed = 0, inflight = 0;
    long pings = 0;
    double t0 = now_s();
    int reported = 0;
    struct epoll_event evs[512];
    char buf[4096];
    static const unsigned char pong[6] = {0x8A, 0x80, 1, 2, 3, 4};

    while (!stop_flag) {
        while (started < n && inflight < inflight_max) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0) { failed++; started++; continue; }
            int one = 1;
            setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (bind(fd, (struct sockaddr *)&saddr, sizeof saddr) < 0) { close(fd); failed++; started++; continue; }
            int r = connect(fd, (struct sockaddr *)&daddr, sizeof daddr);
            if (r < 0 && errno != EINPROGRESS) { close(fd); failed++; started++; continue; }
            conns[fd].state = CONNECTING;
            conns[fd].got = 0;
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.fd = fd};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            started++;
            inflight++;
        }
        if (!reported && open_count + failed >= n) {
            printf("ready %d %.3f failed %d\n", open_count, now_s() - t0, failed);
            fflush(stdout);
            reported = 1;
        }
        int k = epoll_wait(ep, evs, 512, 200);
        for (int i = 0; i < k; i++) {
            int fd = evs[i].data.fd;
            conn_t *c = &conns[fd];
            if (c->state == CONNECTING && (evs[i].events & EPOLLOUT)) {
                int err = 0;
                socklen_t l = sizeof err;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
                if (err || write(fd, req, reqlen) != reqlen) {
                    c->state = DEAD; close(fd); failed++; inflight--; continue;
                }
                c->state = AWAIT_101;
                struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t m = read(fd, buf, sizeof buf);
                if (m <= 0) {
                    if (m < 0 && errno == EAGAIN) continue;
                    if (c->state == OPEN) open_count--; else { failed++; inflight--; }
                    c->state = DEAD;
                    close(fd);
                    continue;
                }
                if (c->state == AWAIT_101) {
                    // The whole 101 response arrives in one segment on loopback; check its status line.
                    if (m >= 12 && memcmp(buf, "HTTP/1.1 101", 12) == 0) {
                        c->state = OPEN; open_count++; inflight--;
                    } else {
                        c->state = DEAD; close(fd); failed++; inflight--;
                    }
                    continue;
                }
                // Open: answer every empty ping (0x89 0x00) with a masked empty pong.
                for (ssize_t j = 0; j + 1 < m; j++) {
                    if ((unsigned char)buf[j] == 0x89 && buf[j + 1] == 0) { (void)!write(fd, pong, sizeof pong); pings++; j++; }
                }
            }
        }
    }
    printf("held %d pings %ld\n", open_count, pings);
    return 0;
}
