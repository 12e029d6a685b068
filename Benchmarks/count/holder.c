// Holds established loopback TCP connections for the count benchmark.
// usage: holder PORT CONNECTIONS HOLDER_INDEX
// Listens on 127.0.0.1:PORT with SO_REUSEPORT (every holder shares the port), accepts in a thread whatever the
// kernel hands this listener, and connects CONNECTIONS clients from source addresses spread over
// 127.<16+index>.x.y. Prints "connected N" when its connects are done, then holds everything until killed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static int listener;
static volatile long accepted;

static void *accept_loop(void *arg) {
    (void)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) continue;
            if (errno == EMFILE || errno == ENFILE) { perror("accept"); sleep(1); continue; }
            perror("accept");
            continue;
        }
        __atomic_add_fetch(&accepted, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: holder PORT CONNECTIONS HOLDER_INDEX\n"); return 2; }
    int port = atoi(argv[1]);
    long n = atol(argv[2]);
    int index = atoi(argv[3]);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    if (listen(listener, 4096) < 0) { perror("listen"); return 1; }
    pthread_t t;
    pthread_create(&t, NULL, accept_loop, NULL);
    // Give every holder time to listen before connections start to hash over the listeners.
    usleep(300000);

    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) { perror("socket"); return 1; }
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET};
        // 127.<16+index>.<hi>.<lo>: about 100 connections per source address.
        long slot = i / 100;
        src.sin_addr.s_addr = htonl((127u << 24) | ((uint32_t)(16 + index) << 16) | (uint32_t)(((slot / 250) % 256) << 8)
                                    | (uint32_t)(slot % 250 + 1));
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { perror("bind source"); return 1; }
        while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            if (errno == EINTR) continue;
            perror("connect");
            return 1;
        }
    }
    printf("connected %ld\n", n);
    fflush(stdout);
    for (;;) pause();
}
