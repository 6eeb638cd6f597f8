/// The Python program that runs a task's tests inside the sandbox. It reads its spec, deletes
/// the spec and itself, turns itself non-dumpable (so that test code running as the same uid
/// cannot read the nonce from /proc/<pid>/mem or write to its stdout through /proc/<pid>/fd),
/// copies the read-only repository (`src`: /src when isolated) into the work directory, runs each
/// test in its own session with a wall limit, keeps the tail of its output, and prints one
/// result line tagged with the nonce.
enum SWEDriver {
    static let fileName = ".fulgur-driver.py"
    static let specName = ".fulgur-spec.json"
    static let resultTag = "FULGUR-SWE-RESULT"

    static let source = #"""
import ctypes, json, os, shutil, signal, subprocess, sys, time

def main():
    work = os.getcwd()
    with open('.fulgur-spec.json') as f:
        spec = json.load(f)
    os.unlink('.fulgur-spec.json')
    os.unlink('.fulgur-driver.py')
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except Exception:
        pass
    for name in os.listdir(spec['src']):
        src, dst = os.path.join(spec['src'], name), os.path.join(work, name)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)
    results = []
    log = os.path.join(os.environ.get('TMPDIR', '/tmp'), '.fulgur-test-output')
    for test in spec['tests']:
        cmd = [a.replace('{test}', test) for a in spec['command']]
        start = time.monotonic()
        code = None
        try:
            with open(log, 'wb') as out:
                p = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
                try:
                    code = p.wait(timeout=spec['test_timeout'])
                    status = 'passed' if code == 0 else 'failed'
                except subprocess.TimeoutExpired:
                    status = 'timeout'
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()
                code = p.returncode
        except OSError as e:
            status = 'error'
            with open(log, 'wb') as out:
                out.write(str(e).encode())
        with open(log, 'rb') as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 4000))
            tail = f.read().decode('utf-8', 'replace')
        os.unlink(log)
        results.append({'id': test, 'status': status, 'exit_code': code,
                         'time_s': round(time.monotonic() - start, 6), 'output': tail})
    sys.stdout.write('\n' + 'FULGUR-SWE-RESULT ' + spec['nonce'] + ' ' + json.dumps({'results': results}) + '\n')
    sys.stdout.flush()

main()
"""#
}
