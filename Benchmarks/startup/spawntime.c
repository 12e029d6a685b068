// Times commands started directly (fork + execvp, no shell), N rounds, interleaved (A B C A B C ...) so background
// load hits every command alike; standard output and error go to /dev/null. Prints one line per command: its name,
// median and min wall time in microseconds, and how many runs did not exit 0 (the figure of a failing command is
// not a figure; the script checks failures=0).
// usage: spawntime N NAME CMD [ARG ...] [--- NAME CMD [ARG ...]] ...
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { max_commands = 16 };

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double run(char **argv, int devnull, int *status_out) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); exit(2); }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *status_out = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: spawntime N NAME CMD [ARG ...] [--- NAME CMD [ARG ...]] ...\n");
        return 64;
    }
    int n = atoi(argv[1]);
    if (n < 1 || n > 100000) {
        fprintf(stderr, "spawntime: N must be 1...100000\n");
        return 64;
    }
    char *names[max_commands];
    char **commands[max_commands];
    int count = 0;
    for (int i = 2; i < argc;) {
        if (count == max_commands || i + 1 >= argc) {
            fprintf(stderr, "spawntime: each command needs a NAME and a CMD (at most %d commands)\n", max_commands);
            return 64;
        }
        names[count] = argv[i];
        commands[count] = argv + i + 1;
        int j = i + 1;
        while (j < argc && strcmp(argv[j], "---") != 0) j++;
        argv[j < argc ? j : argc] = NULL;
        count++;
        i = j + 1;
    }
    double *us = calloc((size_t)n * count, sizeof *us);
    int failures[max_commands] = {0};
    int devnull = open("/dev/null", O_WRONLY);
    for (int r = 0; r < n; r++) {
        for (int c = 0; c < count; c++) {
            int status;
            us[c * n + r] = run(commands[c], devnull, &status);
            if (status != 0) failures[c]++;
        }
    }
    for (int c = 0; c < count; c++) {
        double *t = us + c * n;
        qsort(t, (size_t)n, sizeof *t, compare);
        double median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
        printf("%s median_us=%.0f min_us=%.0f runs=%d failures=%d\n", names[c], median, t[0], n, failures[c]);
    }
    return 0;
}
