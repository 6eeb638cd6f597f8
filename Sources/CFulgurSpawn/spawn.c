// See fulgur_spawn.h. The child runs on its own small stack (clone with CLONE_VM|CLONE_VFORK,
// as glibc's posix_spawn does), so it cannot clobber the parent's stack frame, and it calls
// only async-signal-safe functions. Credential changes use raw system calls: glibc's wrappers
// would try to broadcast the change to the parent's other threads.
#define _GNU_SOURCE
#include "fulgur_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define FULGUR_MAX_FDS 16
#define CHILD_STACK_SIZE (256 * 1024)

typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const fulgur_spawn_setup *setup;
    int err_fd;
} child_args;

static void child_fail(int err_fd, int step, int err) {
    int msg[2] = {step, err};
    ssize_t unused = write(err_fd, msg, sizeof msg);
    (void)unused;
    _exit(127);
}

static int child_main(void *raw) {
    const child_args *a = (const child_args *)raw;
    const fulgur_spawn_setup *s = a->setup;
    int err_fd = a->err_fd;

    // Default dispositions for every signal, then an empty mask (the parent blocked all).
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sigaction(sig, &dfl, NULL);  // glibc-internal signals answer EINVAL: fine
    }

    if (setsid() < 0) child_fail(err_fd, FULGUR_STEP_SETSID, errno);

    if (s->cgroup_procs) {
        int fd = open(s->cgroup_procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0) child_fail(err_fd, FULGUR_STEP_CGROUP, errno);
        if (write(fd, "0", 1) != 1) child_fail(err_fd, FULGUR_STEP_CGROUP, errno);
        close(fd);
    }

    for (int i = 0; i < s->n_limits; i++) {
        struct rlimit rl = {(rlim_t)s->limits[i].soft, (rlim_t)s->limits[i].hard};
        if (setrlimit(s->limits[i].resource, &rl) < 0) child_fail(err_fd, FULGUR_STEP_RLIMIT, errno);
    }

    // Install the descriptors: first move every source (and the error pipe) above all
    // targets, so that no dup2 overwrites a source that is still needed.
    int max_dst = 2;
    for (int i = 0; i < s->n_fds; i++) if (s->fd_dst[i] > max_dst) max_dst = s->fd_dst[i];
    int high_err = fcntl(err_fd, F_DUPFD_CLOEXEC, max_dst + 1);
    if (high_err < 0) child_fail(err_fd, FULGUR_STEP_FDS, errno);
    err_fd = high_err;
    int tmp[FULGUR_MAX_FDS];
    for (int i = 0; i < s->n_fds; i++) {
        tmp[i] = fcntl(s->fd_src[i], F_DUPFD_CLOEXEC, max_dst + 1);
        if (tmp[i] < 0) child_fail(err_fd, FULGUR_STEP_FDS, errno);
    }
    for (int i = 0; i < s->n_fds; i++) {
        if (dup2(tmp[i], s->fd_dst[i]) < 0) child_fail(err_fd, FULGUR_STEP_FDS, errno);
    }
    // Everything else closes on exec (the error pipe stays usable until then).
    if (syscall(SYS_close_range, (unsigned)(max_dst + 1), ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = max_dst + 1; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (int fd = 0; fd <= max_dst; fd++) {
        int wanted = 0;
        for (int i = 0; i < s->n_fds; i++) if (s->fd_dst[i] == fd) wanted = 1;
        if (!wanted) close(fd);
    }

    if (s->cwd && chdir(s->cwd) < 0) child_fail(err_fd, FULGUR_STEP_CHDIR, errno);

    if (s->gid >= 0 || s->uid >= 0) {
        if (syscall(SYS_setgroups, 0, NULL) < 0) child_fail(err_fd, FULGUR_STEP_CREDENTIALS, errno);
    }
    if (s->gid >= 0) {
        gid_t g = (gid_t)s->gid;
        if (syscall(SYS_setresgid, g, g, g) < 0) child_fail(err_fd, FULGUR_STEP_CREDENTIALS, errno);
    }
    if (s->uid >= 0) {
        uid_t u = (uid_t)s->uid;
        if (syscall(SYS_setresuid, u, u, u) < 0) child_fail(err_fd, FULGUR_STEP_CREDENTIALS, errno);
    }

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(a->path, a->argv, a->envp);
    child_fail(err_fd, FULGUR_STEP_EXEC, errno);
    return 127;
}

int fulgur_spawn(const char *path, char *const argv[], char *const envp[],
                 const fulgur_spawn_setup *setup, pid_t *pid_out, int *failed_step) {
    *failed_step = FULGUR_STEP_NONE;
    if (setup->n_fds > FULGUR_MAX_FDS) { *failed_step = FULGUR_STEP_FDS; return EINVAL; }
    int err_pipe[2];
    if (pipe2(err_pipe, O_CLOEXEC) < 0) { *failed_step = FULGUR_STEP_PIPE; return errno; }
    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int e = errno;
        close(err_pipe[0]); close(err_pipe[1]);
        *failed_step = FULGUR_STEP_FORK;
        return e;
    }
    child_args args = {path, argv, envp, setup, err_pipe[1]};

    // No signal handler may run in the child while it shares our memory.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(child_main, (char *)stack + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, CHILD_STACK_SIZE);
    close(err_pipe[1]);
    if (pid < 0) {
        close(err_pipe[0]);
        *failed_step = FULGUR_STEP_FORK;
        return clone_errno;
    }
    int msg[2] = {0, 0};
    ssize_t n;
    do { n = read(err_pipe[0], msg, sizeof msg); } while (n < 0 && errno == EINTR);
    close(err_pipe[0]);
    if (n == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = msg[0];
        return msg[1] ? msg[1] : EIO;
    }
    *pid_out = pid;
    return 0;
}

int fulgur_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int fulgur_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int fulgur_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int fulgur_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int fulgur_sys_prctl_number(void) { return SYS_prctl; }

int fulgur_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

pid_t fulgur_wait(pid_t pid, int *status, struct rusage *usage, int nohang) {
    pid_t r;
    do { r = wait4(pid, status, nohang ? WNOHANG : 0, usage); } while (r < 0 && errno == EINTR);
    return r;
}

int fulgur_wifexited(int status) { return WIFEXITED(status); }
int fulgur_wexitstatus(int status) { return WEXITSTATUS(status); }
int fulgur_wifsignaled(int status) { return WIFSIGNALED(status); }
int fulgur_wtermsig(int status) { return WTERMSIG(status); }
