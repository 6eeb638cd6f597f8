// Process spawning with a pre-exec setup step, for the sandbox.
//
// Swift on Linux has no pre-exec hook (Foundation.Process and swift-subprocess cannot set
// rlimits, drop the uid or join a cgroup between fork and exec), so this small C shim does it:
// vfork, then in the child only raw, async-signal-safe system calls, then execve.
#ifndef FULGUR_SPAWN_H
#define FULGUR_SPAWN_H

#include <sys/types.h>
#include <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One resource limit to set in the child (`resource` is an RLIMIT_* number).
typedef struct {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
} fulgur_rlimit;

/// The resource numbers Swift needs (glibc defines some of them as macros Swift cannot import).
enum {
    FULGUR_RLIMIT_AS = RLIMIT_AS,
    FULGUR_RLIMIT_CPU = RLIMIT_CPU,
    FULGUR_RLIMIT_FSIZE = RLIMIT_FSIZE,
    FULGUR_RLIMIT_NPROC = RLIMIT_NPROC,
    FULGUR_RLIMIT_NOFILE = RLIMIT_NOFILE,
    FULGUR_RLIMIT_CORE = RLIMIT_CORE,
    FULGUR_RLIMIT_MEMLOCK = RLIMIT_MEMLOCK,
    FULGUR_RLIMIT_MSGQUEUE = RLIMIT_MSGQUEUE,
};

/// What to do in the child between fork and exec.
typedef struct {
    /// Descriptors to install: the child gets fd_dst[i] as a copy of the parent's fd_src[i];
    /// every other descriptor is closed on exec. At most 16 entries.
    const int *fd_src;
    const int *fd_dst;
    int n_fds;
    const fulgur_rlimit *limits;
    int n_limits;
    /// Credentials to switch to (supplementary groups are cleared); -1 keeps the current ones.
    long long uid;
    long long gid;
    /// A cgroup's `cgroup.procs` file the child moves itself into before exec, or NULL.
    const char *cgroup_procs;
    /// Working directory for the child, or NULL to keep the current one.
    const char *cwd;
} fulgur_spawn_setup;

/// Which setup step failed (returned through `failed_step`).
enum {
    FULGUR_STEP_NONE = 0,
    FULGUR_STEP_PIPE = 1,
    FULGUR_STEP_FORK = 2,
    FULGUR_STEP_SETSID = 3,
    FULGUR_STEP_CGROUP = 4,
    FULGUR_STEP_RLIMIT = 5,
    FULGUR_STEP_FDS = 6,
    FULGUR_STEP_CREDENTIALS = 7,
    FULGUR_STEP_EXEC = 8,
    FULGUR_STEP_CHDIR = 9,
};

/// Starts `path` with `argv`/`envp` after applying `setup` in the child, in a new session.
/// Returns 0 and the pid, or an errno value with the failed step. The child has exec'd (or
/// failed) when this returns.
int fulgur_spawn(const char *path, char *const argv[], char *const envp[],
                 const fulgur_spawn_setup *setup, pid_t *pid_out, int *failed_step);

/// A pidfd for `pid` (pollable: readable once the process has exited), or -1 with errno.
int fulgur_pidfd_open(pid_t pid);

/// An anonymous in-memory file (memfd), close-on-exec, or -1 with errno.
int fulgur_memfd(const char *name);

/// A close-on-exec pipe; fds[0] is the read end.
int fulgur_pipe(int fds[2]);

/// Makes this process a child subreaper: orphaned descendants (a sandbox's namespace init,
/// once bwrap has exited) are re-parented to it, so it can reap them at once.
int fulgur_set_child_subreaper(void);

/// This architecture's prctl(2) system call number (the in-sandbox reaper calls it raw).
int fulgur_sys_prctl_number(void);

/// Sets O_NONBLOCK on a descriptor.
int fulgur_set_nonblocking(int fd);

/// wait4: blocking (nohang == 0) or not. Returns the pid, 0 (still running) or -1.
pid_t fulgur_wait(pid_t pid, int *status, struct rusage *usage, int nohang);

/// Wait-status decoding (the macros are not importable into Swift).
int fulgur_wifexited(int status);
int fulgur_wexitstatus(int status);
int fulgur_wifsignaled(int status);
int fulgur_wtermsig(int status);

#ifdef __cplusplus
}
#endif
#endif
