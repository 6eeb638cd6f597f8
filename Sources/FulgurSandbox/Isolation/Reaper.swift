import CFulgurSpawn

/// PID 1 of the sandbox: a few lines of Perl (perl-base is Essential in Debian, and starts in
/// ~3 ms) that run the program and report its raw wait status. As PID 1 it cannot be killed
/// from inside the namespace, and when it exits the kernel kills everything else there.
///
/// Why it exists: bwrap reports a death by signal n as exit code 128+n, which cannot be told
/// apart from `exit(128+n)`. The reaper writes `S` on fd 3 when the program starts and
/// `W <status>` when it ends; the host timestamps both lines (so `time_s` excludes sandbox
/// setup) and cross-checks the status against bwrap's exit code (so a forged line could change
/// nothing but that ambiguity). The program inherits no descriptor beyond 0–2; the status
/// pipe is root-owned (mode 0600), so it cannot be reopened through /proc/1/fd either; and the
/// reaper makes itself non-dumpable first, so the program (same uid) can neither read its
/// memory nor ptrace it.
enum Reaper {
    static let statusFD: Int32 = 3

    static let script = "syscall(\(fulgur_sys_prctl_number()), 4, 0, 0, 0, 0);  # prctl(PR_SET_DUMPABLE, 0)\n" + body

    private static let body = #"""
open(my $st, '>&=', 3) or exit 125;
syswrite($st, "S\n");
my $pid = fork();
if (!defined $pid) { syswrite($st, "E fork failed: $!\n"); exit 125; }
if ($pid == 0) {
  if (opendir(my $d, '/proc/self/fd')) {
    my @fds = grep { /^\d+$/ && $_ > 2 } readdir($d);
    closedir($d);
    for my $fd (@fds) {
      if (open(my $r, '<&=', $fd)) { close($r); } elsif (open(my $w, '>&=', $fd)) { close($w); }
    }
  }
  exec { $ARGV[0] } @ARGV;
  print STDERR "fulgur sandbox: cannot execute $ARGV[0]: $!\n";
  exit 127;
}
waitpid($pid, 0);
my $w = $?;
syswrite($st, "W $w\n");
exit(($w & 127) ? 128 + ($w & 127) : ($w >> 8));
"""#

    /// Parses the reaper's status channel: the start marker and the raw wait status.
    static func parse(_ text: String) -> (started: Bool, status: Int32?) {
        var started = false
        var status: Int32?
        for line in text.split(separator: "\n") {
            if line == "S" { started = true }
            if line.hasPrefix("W "), status == nil, let v = Int32(line.dropFirst(2)) { status = v }
        }
        return (started, status)
    }
}
