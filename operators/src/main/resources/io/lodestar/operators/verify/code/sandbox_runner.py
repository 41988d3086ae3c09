"""The two sides of one sandboxed code test (see CodeSandbox and docs/rewards.md).

runner (no arguments): the trusted side. Runs as PID 1 of the sandbox and not dumpable, so no
other process in the sandbox can signal it away, trace it, or read its memory, environment or
file descriptors. Reads the request (verdict nonce, tests, task prompt) from stdin, which it
drains before any untrusted code exists, starts the candidate in a child process, runs the tests
in its own interpreter and calls the candidate's entry point through a pipe, with arguments and
results copied as plain data. After the tests, it kills the candidate and writes the last line of
its stdout: the nonce, the verdict and a reason. Nothing else in the sandbox holds that stdout.

candidate <call fd> <reply fd>: the untrusted side. Runs the program as __main__, reports that
it loaded, then answers calls. It holds only its own pipes, never the runner's stdout.
"""

import json
import os
import sys

MAX_DEPTH = 100
MAX_MESSAGE_BYTES = 16 << 20
MAX_REASON_CHARS = 300
# The kernel's CPU limit counts precise run time; rusage lags it on a busy host. Half the budget
# tells a real limit from a SIGXCPU the code sent itself (spinning for the full budget is a
# timeout anyway).
CPU_EVIDENCE = 0.5


class WireError(Exception):
    pass


# Plain values on the wire: JSON null, booleans, strings and floats as themselves, small ints as
# JSON ints, everything else as a tagged list. Only exact built-in types cross, so no object the
# candidate defines (one that equals everything, say) can reach the tests.
def encode(value, depth=0):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(value)
    if value is None or kind is bool or kind is str or kind is float:
        return value
    if kind is int:
        return value if -(1 << 53) < value < (1 << 53) else ["i", format(value, "x")]
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        tag = {list: "l", tuple: "t", set: "s", frozenset: "f"}[kind]
        return [tag, [encode(item, depth + 1) for item in value]]
    if kind is dict:
        return ["d", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    if kind is bytes:
        return ["b", value.hex()]
    if kind is complex:
        return ["c", value.real, value.imag]
    raise WireError("cannot pass a value of type %s" % kind.__name__)


def decode(obj, depth=0):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(obj)
    if obj is None or kind is bool or kind is str or kind is float or kind is int:
        return obj
    if kind is not list or len(obj) < 2 or type(obj[0]) is not str:
        raise WireError("malformed value")
    tag = obj[0]
    if tag == "i" and len(obj) == 2 and type(obj[1]) is str:
        return int(obj[1], 16)
    if tag in ("l", "t", "s", "f") and len(obj) == 2 and type(obj[1]) is list:
        items = [decode(item, depth + 1) for item in obj[1]]
        return {"l": list, "t": tuple, "s": set, "f": frozenset}[tag](items)
    if tag == "d" and len(obj) == 2 and type(obj[1]) is list:
        result = {}
        for pair in obj[1]:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("malformed dict")
            result[decode(pair[0], depth + 1)] = decode(pair[1], depth + 1)
        return result
    if tag == "b" and len(obj) == 2 and type(obj[1]) is str:
        return bytes.fromhex(obj[1])
    if tag == "c" and len(obj) == 3 and all(type(part) in (int, float) for part in obj[1:]):
        return complex(obj[1], obj[2])
    raise WireError("malformed value")


def one_line(text):
    flat = " ".join(str(text).split())
    return flat[:MAX_REASON_CHARS]


def describe(error):
    return one_line("%s: %s" % (type(error).__name__, error)) if str(error) else type(error).__name__


# ---------------------------------------------------------------------------------------------
# The candidate side.

def candidate(call_fd, reply_fd):
    calls = os.fdopen(call_fd, "rb")
    replies = os.fdopen(reply_fd, "wb", buffering=0)

    def send(message):
        replies.write(json.dumps(message).encode("ascii") + b"\n")

    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        with open("/sandbox/program.py", encoding="utf-8") as source:
            code = compile(source.read(), "program.py", "exec")
        exec(code, scope)
    except Exception as error:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        send({"loaded": False, "error": describe(error)})
        return
    send({"loaded": True})
    for line in calls:
        request = json.loads(line)
        function = scope.get(request["entry"])
        try:
            if not callable(function):
                raise NameError("name %r is not defined" % request["entry"])
            args = decode(request["args"])
            kwargs = decode(request["kwargs"])
            reply = {"value": encode(function(*args, **kwargs))}
        except Exception as error:
            reply = {"raised": type(error).__name__, "message": one_line(error)}
        send(reply)


# ---------------------------------------------------------------------------------------------
# The runner side.

class CandidateGone(BaseException):
    """The candidate ended or broke the protocol: never a pass, whatever the tests catch."""


class CpuLimit(BaseException):
    pass


class Verdict(BaseException):
    def __init__(self, verdict, reason):
        super().__init__(verdict, reason)
        self.verdict = verdict
        self.reason = reason


def runner():
    import resource
    import signal

    out = sys.stdout.buffer
    # PID 1 gets only the signals it handles; SIGINT is the one Python handles by default.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getpid() != 1:
        fail_closed(out, "the runner is not PID 1 of its sandbox")
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE, 0
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
    except Exception as error:
        fail_closed(out, "cannot make the runner undumpable: %s" % describe(error))

    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    nonce = request["nonce"]
    out.write(("lodestar-sandbox-started %s\n" % request["start"]).encode("ascii"))
    out.flush()

    def finish(verdict, reason):
        out.write(("\n%s %s %s\n" % (nonce, verdict, one_line(reason))).encode("ascii", "backslashreplace"))
        out.flush()
        os._exit(0)

    # As set at start: the candidate can lower the runner's limits later (same uid), not this.
    global CPU_LIMIT
    CPU_LIMIT = resource.getrlimit(resource.RLIMIT_CPU)[0]

    def on_sigxcpu(signum, frame):
        # Raised only when the runner itself used its budget; the candidate can send the signal.
        if used_cpu_budget(resource.getrusage(resource.RUSAGE_SELF)):
            raise CpuLimit()

    signal.signal(signal.SIGXCPU, on_sigxcpu)

    # The tests are defined before any untrusted code runs; a failure here is the task's.
    mode = request["mode"]
    tests = None
    entry = request.get("entry")
    if mode == "tests":
        try:
            tests = load_tests(request.get("prompt") or "", request["test"], entry)
        except BaseException as error:
            finish("ERROR", "the tests do not load: " + describe(error))

    try:
        session = Session(entry, out)
    except BaseException as error:
        finish("ERROR", "cannot start the candidate: " + describe(error))

    # From here on, anything that goes wrong may be the candidate's doing: never a pass.
    try:
        try:
            session.await_loaded()
            if tests is None:
                raise Verdict("PASS", "the program ran to its end")
            scope, proxy = tests
            proxy.session = session
            try:
                scope["check"](proxy)
            except (CandidateGone, CpuLimit, Verdict):
                raise
            except BaseException as error:
                raise Verdict("FAIL", failure_reason(error))
            if session.gone is not None:
                raise Verdict("FAIL", session.gone)
            raise Verdict("PASS", "check returned")
        except CandidateGone as gone:
            raise Verdict("FAIL", str(gone))
        except CpuLimit:
            raise Verdict("TIMEOUT", "CPU limit")
    except Verdict as verdict:
        session.end()
        finish(verdict.verdict, verdict.reason)
    except BaseException as error:
        session.end()
        finish("FAIL", "runner stopped: " + describe(error))


CPU_LIMIT = None


def used_cpu_budget(usage):
    import resource
    return CPU_LIMIT not in (None, resource.RLIM_INFINITY) \
        and usage.ru_utime + usage.ru_stime >= CPU_LIMIT * CPU_EVIDENCE


def fail_closed(out, reason):
    # No start line: the sandbox, not the code, failed.
    sys.stderr.write("lodestar runner: %s\n" % reason)
    sys.stderr.flush()
    os._exit(3)


def load_tests(prompt, test, entry):
    import builtins
    scope = {"__name__": "__lodestar_tests__", "__builtins__": builtins}
    try:
        # The task's own prompt, for helpers the tests call (encode_cyclic for decode_cyclic).
        exec(compile(prompt, "prompt.py", "exec"), scope)
    except Exception:
        scope = {"__name__": "__lodestar_tests__", "__builtins__": builtins}
    proxy = Proxy(entry, scope)
    scope[entry] = proxy
    exec(compile(test, "test.py", "exec"), scope)
    if not callable(scope.get("check")):
        raise NameError("the tests define no check(candidate)")
    return scope, proxy


def failure_reason(error):
    import traceback
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "test.py":
            line = frame.lineno
    text = describe(error)
    return text if line is None else "%s (test line %d)" % (text, line)


class Proxy:
    """Stands for the candidate's function in the tests; each call crosses to the candidate."""

    def __init__(self, entry, scope):
        self.entry = entry
        self.scope = scope
        self.session = None
        self.__name__ = entry

    def __call__(self, *args, **kwargs):
        reply = self.session.call(self.entry, args, kwargs)
        if "value" in reply:
            try:
                return decode(reply["value"])
            except (WireError, ValueError, TypeError, RecursionError, OverflowError) as error:
                self.session.violate("the candidate returned no plain value: " + describe(error))
        raise self.exception(reply)

    def exception(self, reply):
        import builtins
        name = reply.get("raised")
        message = reply.get("message")
        if type(name) is not str or type(message) is not str:
            self.session.violate("malformed reply from the candidate")
        # The same exception type when the tests can name it, so that a test expecting one
        # still sees it; never a type outside Exception.
        kind = self.scope.get(name, getattr(builtins, name, None)) if name.isidentifier() else None
        if isinstance(kind, type) and issubclass(kind, Exception):
            try:
                return kind(message)
            except Exception:
                pass
        return CandidateRaised("%s: %s" % (name[:80], message))


class CandidateRaised(Exception):
    pass


class Session:
    """The candidate process and the pipes to it; its output is forwarded to the runner's."""

    def __init__(self, entry, out):
        import subprocess
        self.entry = entry
        self.out = out
        self.gone = None
        self.exited = None
        self.pending = bytearray()
        call_r, self.call_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        self.out_r, out_w = os.pipe()
        self.err_r, err_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", "-u", os.path.abspath(__file__), "candidate", str(call_r), str(reply_w)],
                stdin=subprocess.DEVNULL, stdout=out_w, stderr=err_w, pass_fds=(call_r, reply_w),
                close_fds=True, start_new_session=True, env=dict(os.environ))
        finally:
            for fd in (call_r, reply_w, out_w, err_w):
                os.close(fd)
        self.pid = self.process.pid
        self.pidfd = os.pidfd_open(self.pid)
        for fd in (self.call_w, self.reply_r, self.out_r, self.err_r):
            os.set_blocking(fd, False)
        self.open = {self.reply_r, self.out_r, self.err_r}

    def violate(self, reason):
        self.gone = reason
        raise CandidateGone(reason)

    def await_loaded(self):
        message = self.next_message("before it finished loading")
        if message.get("loaded") is True:
            return
        error = message.get("error")
        self.violate("the program raised " + (one_line(error) if type(error) is str else "an error"))

    def call(self, entry, args, kwargs):
        if self.gone is not None:
            raise CandidateGone(self.gone)
        try:
            request = json.dumps({"entry": entry, "args": encode(list(args)),
                                  "kwargs": encode(dict(kwargs))}).encode("ascii") + b"\n"
        except (WireError, ValueError, TypeError, RecursionError) as error:
            # The tests passed something that cannot cross: the task's limit, not the candidate's.
            raise TypeError("cannot pass the arguments to the candidate: " + describe(error))
        view = memoryview(request)
        while view:
            if self.exited is not None:
                self.ended("during a call")
            if self.pump(writing=self.call_w):
                try:
                    view = view[os.write(self.call_w, view[:65536]):]
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    self.await_exit("closed its call pipe during a call")
        return self.next_message("during a call")

    def next_message(self, when):
        while True:
            newline = self.pending.find(b"\n")
            if newline >= 0:
                line = bytes(self.pending[:newline])
                del self.pending[:newline + 1]
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    message = None
                if not isinstance(message, dict):
                    self.violate("malformed message from the candidate")
                return message
            if len(self.pending) > MAX_MESSAGE_BYTES:
                self.violate("message from the candidate too large")
            if self.exited is not None or self.reply_r not in self.open:
                if self.reply_r in self.open:
                    self.drain(self.reply_r)
                if b"\n" in self.pending:
                    continue  # a reply written just before the candidate ended still counts
                self.await_exit("closed its reply pipe " + when)
                self.ended(when)
            self.pump()

    def pump(self, timeout=None, writing=None):
        """Waits for output, a reply, the candidate's exit or room to write; True when writable."""
        import select
        watched = [fd for fd in (self.reply_r, self.out_r, self.err_r) if fd in self.open]
        if self.exited is None:
            watched.append(self.pidfd)
        readable, writable, _ = select.select(watched, [writing] if writing is not None else [], [], timeout)
        for fd in readable:
            if fd == self.pidfd:
                self.reap(os.WNOHANG)
            else:
                self.drain(fd)
        return bool(writable)

    def drain(self, fd, budget=None):
        moved = 0
        while budget is None or moved < budget:
            if fd == self.reply_r and len(self.pending) > MAX_MESSAGE_BYTES:
                return
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self.open.discard(fd)
                return
            moved += len(chunk)
            if fd == self.reply_r:
                self.pending += chunk
                continue
            view = memoryview(chunk)
            while view:
                view = view[os.write(1 if fd == self.out_r else 2, view):]

    def reap(self, flags):
        if self.exited is None:
            pid, status, usage = os.wait4(self.pid, flags)
            if pid != 0:
                self.exited = (status, usage)
                self.process.returncode = status

    def await_exit(self, reason):
        """A process that ends closes its files first: give it a moment, else it broke the protocol."""
        import select
        if self.exited is None:
            if select.select([self.pidfd], [], [], 1.0)[0]:
                self.reap(0)
            else:
                self.violate("the candidate " + reason)

    def ended(self, when):
        import signal
        status, usage = self.exited
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL) \
                and used_cpu_budget(usage):
            self.gone = "CPU limit"
            raise CpuLimit()
        how = ("by signal %d" % os.WTERMSIG(status)) if os.WIFSIGNALED(status) \
            else ("with status %d" % os.WEXITSTATUS(status))
        self.violate("the candidate exited %s %s" % (how, when))

    def end(self):
        """Kills the candidate and forwards what it wrote before; PID 1's exit ends the rest."""
        import signal
        for kill in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
            try:
                kill()
            except OSError:
                pass
        try:
            self.reap(0)
        except ChildProcessError:
            pass
        # What the candidate wrote before it died is in the pipes; its children may still
        # write, so the drain is bounded.
        for fd in (self.out_r, self.err_r):
            if fd in self.open:
                self.drain(fd, budget=1 << 20)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "candidate":
        candidate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        runner()
