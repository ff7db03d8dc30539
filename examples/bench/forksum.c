/*
 * forksum: how long N fork+exit take, as a sum computed by processes.
 *
 *   forksum START END
 *
 * Sums the integers START..END by splitting the range in two halves and forking a child
 * process for each half, recursively, until a range holds one number; each child sends
 * its partial sum to its parent through a pipe and exits. N = END-START+1 numbers take
 * 2N-2 forks, each followed by an exit and a wait. It prints one line:
 *
 *   forksum: 1..2000 = 2001000 in 3998 forks, 1027.086 ms
 *
 * The time (CLOCK_MONOTONIC, around the whole tree) is the number to compare; the sum
 * proves every child ran. Build: cc -O2 -static -o forksum forksum.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct result {
    long long sum;
    long forks;
};

static struct result sum_range(long start, long end);

/* Forks a child that computes sum_range(start, end) and writes it to a pipe; returns the
 * read end, and the child's pid in *pid. */
static int spawn(long start, long end, pid_t *pid)
{
    int fd[2];
    if (pipe(fd) != 0) {
        perror("forksum: pipe");
        exit(1);
    }
    *pid = fork();
    if (*pid < 0) {
        perror("forksum: fork");
        exit(1);
    }
    if (*pid == 0) {
        close(fd[0]);
        struct result r = sum_range(start, end);
        if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    return fd[0];
}

/* Reads a child's result and waits for it to exit. */
static struct result collect(int fd, pid_t pid)
{
    struct result r = {0, 0};
    int status = 0;
    if (read(fd, &r, sizeof r) != (ssize_t)sizeof r) {
        fprintf(stderr, "forksum: a child sent no result\n");
        exit(1);
    }
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "forksum: a child failed\n");
        exit(1);
    }
    return r;
}

static struct result sum_range(long start, long end)
{
    if (start == end)
        return (struct result){start, 0};
    long mid = start + (end - start) / 2;
    pid_t left_pid, right_pid;
    int left = spawn(start, mid, &left_pid);
    int right = spawn(mid + 1, end, &right_pid);
    struct result a = collect(left, left_pid);
    struct result b = collect(right, right_pid);
    return (struct result){a.sum + b.sum, a.forks + b.forks + 2};
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: forksum START END   (e.g. forksum 1 2000)\n");
        return 2;
    }
    char *e1, *e2;
    long start = strtol(argv[1], &e1, 10), end = strtol(argv[2], &e2, 10);
    if (*e1 || *e2 || start > end || end - start > 100000) {
        fprintf(stderr, "forksum: START and END must be integers, START <= END, at most 100000 apart\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct result r = sum_range(start, end);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("forksum: %ld..%ld = %lld in %ld forks, %.3f ms\n", start, end, r.sum, r.forks, ms);
    return 0;
}
