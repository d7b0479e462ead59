"""pipetest's preloading Python worker: imports a pipeline's third-party modules once, then
forks one child per execution that runs the harness (python_harness.py) as a fresh
interpreter would.

Usage: python python_worker.py HARNESS_FILE CONTRACT_READER

Importing numpy/pandas/scikit-learn is most of what a pipeline script costs (0.5-0.6 s of a
0.85 s execution); a fork of a process that already holds them costs a few milliseconds. The
worker itself only ever imports: it never runs a script, a script's local module or any other
user code (a prototype that ran an OpenMP region before forking hung every child).

Protocol: one JSON object per line; requests on stdin, replies on the descriptor that was
stdout when the worker started (stdout itself is pointed at stderr, so a library printing
while it is imported cannot corrupt a reply).
  {"id": N, "op": "prepare", "script": PATH, "background": true}
      imports the script's third-party modules (read statically by pipetest's contract
      reader, never the script's own) -> {"id": N, "ok": true} or {"id": N, "fresh": REASON}
      when a fork could not be equivalent to a fresh interpreter. A background prepare (a
      run's prewarm) waits while any other request is pending: an execution that can be
      forked now runs beside the imports a later script needs.
  {"id": N, "op": "fork", "script", "request_file", "cwd", "env", "stdout", "stderr"}
      prepares the script first (the checks are made at the fork: a later import may have
      loaded a module the script's folder shadows) -> {"id": N, "pid": PID}, or
      {"id": N, "fresh": REASON}, or {"id": N, "error": MESSAGE}; once the child has ended,
      {"exited": PID, "code": C} or {"exited": PID, "signal": "SIGKILL"}.
While idle after its first fork, the worker forks the next execution's child ahead of time
(a spare, see make_spare), which waits for its request on a pipe: a fork request is then a
write, not a fork. stdin closing means pipetest has gone: every child's process group (and
the spare) is killed and the worker exits, so it never outlives the process that started it.
Standard library only; Python 3.8 or newer.
"""

import gc
import importlib.machinery
import importlib.util
import json
import os
import selectors
import signal
import sys
import threading
import time
import types


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reply(fd, message):
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        data = data[os.write(fd, data):]


class Worker:
    def __init__(self, harness_file, reader_file, reply_fd):
        self.harness = load_module("_pipetest_harness", harness_file)
        self.reader = load_module("_pipetest_contract_reader", reader_file)
        self.reply_fd = reply_fd
        self.found_cache = {}
        self.libraries = {}
        self.attempted = set()
        self.children = set()
        # A fresh interpreter's sys.path, as the harness expects it: the harness' folder first.
        self.sys_path = [os.path.dirname(os.path.abspath(self.harness.__file__))] + sys.path[1:]
        self.refused = None
        self.sending = False
        self.wake_fds = ()
        # A child forked ahead of its execution (see make_spare): (pid, request pipe).
        self.spare = None
        # Spares let go (stale, or the worker ending): waited for, never reported.
        self.spares_gone = set()
        self.forked = False
        self.freeze()

    def freeze(self):
        """Everything loaded so far belongs to the worker; a child starts from exactly this."""
        # Buffered output of an import goes out now, not in the first child's log.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        self.modules = set(sys.modules)
        self.top_level_modules = {name.partition(".")[0] for name in self.modules}
        # A spare forked before these imports would lack them.
        self.drop_spare()
        # Moves every object to a permanent generation the collector never scans, so the
        # children's collections do not touch (and copy) the pages the libraries live on. Not
        # collected first: the worker runs without the collector (see main), and a collection
        # after importing pandas costs ~50 ms before the first fork, to free little.
        if hasattr(gc, "freeze"):
            gc.freeze()

    def prepare(self, script):
        if self.refused:
            return {"fresh": self.refused}
        wanted = [module for module in self.libraries_of(script) if module not in self.attempted]
        for module in wanted:
            self.attempted.add(module)
            try:
                importlib.import_module(module)
            except BaseException:
                # The child imports it again and reports the failure as the script's own.
                pass
        if wanted:
            self.freeze()
        if threading.active_count() > 1:
            # A fork copies only the forking thread; locks held by the others stay held.
            self.refused = "importing the script's libraries started a thread in the worker, so forking it is unsafe"
            return {"fresh": self.refused}
        shadowed = self.shadowed_in(os.path.dirname(os.path.abspath(script)))
        if shadowed:
            return {
                "fresh": "its folder has "
                + shadowed
                + ", which shadows a module the worker has already imported"
            }
        return {"ok": True}

    def libraries_of(self, script):
        """The third-party modules the script imports, read once per version of the file.

        Every fork asks (the run's prewarm asked first): parsing is ~1 ms for a short script
        and ~30 ms for one of 700 lines, on the execution's critical path. A file whose size,
        inode or modification time changed is read again. (Its local modules' imports are
        not followed for changes: a library missed there is imported by the child itself,
        as a fresh interpreter would.)
        """
        try:
            stat = os.stat(script)
            version = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            known = self.libraries.get(script)
            if known and known[0] == version:
                return known[1]
            with open(script, "rb") as handle:
                tree = self.reader.ast.parse(handle.read(), script)
            imports, _ = self.reader.read_imports(script, tree, self.found_cache)
        except (SyntaxError, ValueError, OSError, RecursionError):
            return []  # the child reports it, as a fresh interpreter would
        modules = [
            entry["module"]
            for entry in imports
            if entry["kind"] == "third-party" and entry["available"]
        ]
        self.libraries[script] = (version, modules)
        return modules

    def shadowed_in(self, folder):
        """A file in the script's folder (first on its sys.path) named like a loaded module."""
        try:
            entries = os.listdir(folder)
        except OSError:
            return None
        loaded = self.top_level_modules
        suffixes = [".py", ".pyc"] + list(importlib.machinery.EXTENSION_SUFFIXES)
        for entry in sorted(entries):
            path = os.path.join(folder, entry)
            for suffix in suffixes:
                if entry.endswith(suffix) and entry[: -len(suffix)] in loaded:
                    return entry
            if entry in loaded and os.path.isfile(os.path.join(path, "__init__.py")):
                return entry + "/"
        return None

    def fork(self, request):
        self.forked = True
        if request.get("script"):
            prepared = self.prepare(request["script"])
            if "fresh" in prepared:
                return prepared
        spare = self.take_spare(request)
        if spare is not None:
            return {"pid": spare}
        pid = self.fork_child(lambda: self.become_child(request))
        self.children.add(pid)
        return {"pid": pid}

    def fork_child(self, body):
        """Forks a child that runs body() and leaves with its exit code, never returning."""
        # Not reaped by the SIGCHLD handler before it is one of our children.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = os.fork()
            if pid == 0:
                code = 70
                try:
                    code = body()
                finally:
                    os._exit(code)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        return pid

    def make_spare(self):
        """Forks the next execution's child ahead of time, while the worker is idle.

        A fork of a process holding numpy/pandas/scikit-learn costs several milliseconds
        before the child runs a line (copying the page tables, then faulting in the pages
        the child writes while it sheds the worker's state): ~10 ms of each execution in a
        chain. A spare does all of that before it is needed and then waits, holding no
        execution's state, for its request on a pipe of its own; a fork request hands it
        over in a write. Forked only from the state of the last freeze (new imports let the
        spare go) and only while the worker has a single thread, like any fork.
        """
        if self.spare or not self.forked or self.refused or threading.active_count() > 1:
            return
        read_fd, write_fd = os.pipe()
        pid = self.fork_child(lambda: self.wait_as_spare(read_fd, write_fd))
        os.close(read_fd)
        self.spare = (pid, write_fd, time.monotonic())

    def take_spare(self, request):
        """Hands the request to the spare and returns its pid, or None if there is none."""
        if not self.spare:
            return None
        if time.monotonic() - self.spare[2] > SPARE_MAX_AGE_S:
            self.drop_spare()
            return None
        pid, write_fd, _ = self.spare
        self.spare = None
        data = json.dumps(request).encode("utf-8")
        try:
            while data:
                data = data[os.write(write_fd, data):]
        except OSError:
            # It died waiting (EPIPE): forgotten, and this execution gets a fork of its own.
            self.spares_gone.add(pid)
            return None
        finally:
            os.close(write_fd)
        self.children.add(pid)
        return pid

    def drop_spare(self):
        """Lets the spare go: its request pipe closes, and it leaves without running anything."""
        if self.spare:
            pid, write_fd, _ = self.spare
            self.spare = None
            os.close(write_fd)
            self.spares_gone.add(pid)

    def wait_as_spare(self, read_fd, write_fd):
        os.close(write_fd)
        self.shed_worker()
        # Both run again when the request comes (a file may change meanwhile, and the random
        # state must be drawn then); run now too, they fault in the pages they write, which
        # is most of their cost in a fork (~2 ms, then ~0.2 ms).
        importlib.invalidate_caches()
        reseed()
        chunks = []
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(read_fd)
        if not chunks:
            return 0  # let go by the worker, or the worker is gone: nothing ran
        return self.run_execution(json.loads(b"".join(chunks)))

    def become_child(self, request):
        """Turns this fork into what a fresh `python python_harness.py REQUEST` would be."""
        self.shed_worker()
        return self.run_execution(request)

    def shed_worker(self):
        """What a fork drops of the worker before any execution is known."""
        # Its own session and process group: pipetest's timeouts and kills reach it and all
        # it starts, exactly as for a spawned interpreter. (Made here, in a spare too: setsid
        # takes the kernel's process-table lock, which is slow to get while others fork.)
        os.setsid()
        gc.enable()  # off in the worker only (see main)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        for fd in (self.reply_fd,) + self.wake_fds:
            os.close(fd)
        if self.spare:
            os.close(self.spare[1])  # another's request pipe: its reader must see it close
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for name in list(sys.modules):
            if name not in self.modules:
                del sys.modules[name]
        sys.path[:] = self.sys_path
        # A fresh __main__ naming the harness, as a spawned interpreter has: multiprocessing's
        # spawn and forkserver re-import __main__'s file in their children.
        main = types.ModuleType("__main__")
        main.__file__ = self.harness.__file__
        main.__builtins__ = __builtins__
        sys.modules["__main__"] = main

    def run_execution(self, request):
        """The execution's own start: what a fresh `python python_harness.py REQUEST` has."""
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            log = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.dup2(log, fd)
            os.close(log)
        os.chdir(request["cwd"])
        # The spec's full environment, replacing the worker's (putenv: C libraries see it too).
        os.environ.clear()
        os.environ.update(request["env"])
        mark_environment_block(request["env"].get(MARK_VAR))
        importlib.invalidate_caches()  # files the worker's finders saw may have changed since
        reseed()
        harness = self.harness
        open_files = harness.OpenFiles()
        try:
            code = harness.run(request["request_file"])
        except SystemExit as exc:
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
            code = harness.exit_code_of(exc)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        return finish(harness, code, open_files)

    def send(self, message):
        self.sending = True
        try:
            reply(self.reply_fd, message)
        finally:
            self.sending = False

    def child_ended(self, *_):
        """SIGCHLD: an execution has ended. Said at once, even while the worker is importing
        a later script's libraries (a handler runs between the import's bytecodes), unless
        the signal came in the middle of a reply: the wakeup fd has the loop reap it then."""
        if not self.sending:
            self.reap()

    def reap(self):
        for spare in list(self.spares_gone) + ([self.spare[0]] if self.spare else []):
            try:
                pid, _ = os.waitpid(spare, os.WNOHANG)
            except ChildProcessError:
                pid = spare
            if pid:
                self.spares_gone.discard(spare)
                if self.spare and self.spare[0] == spare:
                    self.spare = None  # died waiting: the next fork makes its own child
        # Only the executions' children: a process an import started (platform runs `uname`)
        # is its subprocess module's to wait for, even when SIGCHLD comes mid-import.
        for child in list(self.children):
            try:
                pid, status = os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                self.children.discard(child)
                continue
            if pid == 0:
                continue
            self.children.discard(pid)
            if os.WIFSIGNALED(status):
                number = os.WTERMSIG(status)
                try:
                    name = signal.Signals(number).name
                except ValueError:
                    name = "SIG" + str(number)
                self.send({"exited": pid, "signal": name})
            else:
                self.send({"exited": pid, "code": os.WEXITSTATUS(status)})

    def end(self):
        """pipetest has gone: nobody is left to time out or read these executions."""
        for pid in self.children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        # A spare leaves by itself when its pipe closes with us; this is sooner.
        for pid in list(self.spares_gone) + ([self.spare[0]] if self.spare else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)


# A spare older than this is not handed out (the execution gets a fork of its own). pipetest
# looks for the processes an execution left behind among the pids from its first one on
# (execution-mark.ts), which holds while the pid counter has not wrapped since: the longer a
# spare waits, the less sure that is. A spare matters in chains of short steps, which ask
# for it soon after it is made.
SPARE_MAX_AGE_S = 2.0

MARK_VAR = "PIPETEST_EXECUTION_ID"
# What pipetest started the worker with in place of a mark (see mark_environment_block).
MARK_PLACEHOLDER = os.environ.get(MARK_VAR, "")


def mark_environment_block(mark):
    """Writes the execution's mark over the placeholder in the environment the kernel shows.

    pipetest finds the processes an execution left outside its process group by the mark in
    their /proc/<pid>/environ (see execution-mark.ts). That file shows the environment block
    the process was exec'd with, which a fork inherits and `os.environ` never changes: left
    alone, a forked child and a daemon it double-forks would show the worker's placeholder.
    The mark is exactly as long as the placeholder, so it is written in place, in this
    process's own memory, through /proc/self/mem. Linux only; elsewhere nothing is found,
    as for a process that clears its own environment.
    """
    if not mark or len(mark) != len(MARK_PLACEHOLDER) or not MARK_PLACEHOLDER:
        return
    try:
        with open("/proc/self/environ", "rb") as handle:
            block = handle.read()
        needle = (MARK_VAR + "=" + MARK_PLACEHOLDER + "\0").encode()
        at = (b"\0" + block).find(b"\0" + needle)
        if at < 0:
            return
        with open("/proc/self/stat", "rb") as handle:
            stat = handle.read()
        # Field 50 is env_start; the fields after "(comm)" start at field 3.
        env_start = int(stat[stat.rindex(b")") + 2:].split()[47])
        memory = os.open("/proc/self/mem", os.O_RDWR)
        try:
            os.pwrite(memory, mark.encode(), env_start + at + len(MARK_VAR) + 1)
        finally:
            os.close(memory)
    except (OSError, ValueError, IndexError):
        pass


def reseed():
    """A fork inherits its parent's random state; a fresh interpreter seeds from the OS."""
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        try:
            numpy_random.seed()
        except Exception:
            pass


def finish(harness, code, open_files):
    """A normal exit minus the teardown, as the harness's own: threads, atexit, flush, leave."""
    try:
        threading._shutdown()  # waits for non-daemon threads, as interpreter exit does
    except Exception:
        pass
    harness.run_exit_handlers(open_files)
    return code


def serve(worker):
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    worker.wake_fds = (wake_read, wake_write)
    signal.set_wakeup_fd(wake_write)
    # A handler (not SIG_DFL) also wakes the select below through the wakeup fd.
    signal.signal(signal.SIGCHLD, worker.child_ended)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    pending = b""
    background = []
    while True:
        # Blocks only when no background prepare is left; otherwise just looks for requests.
        for key, _ in selector.select(None if not background else 0):
            if key.fd == wake_read:
                os.read(wake_read, 4096)
                worker.reap()
                continue
            data = os.read(0, 65536)
            if not data:
                worker.end()
            pending += data
        requests = []
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.strip():
                requests.append(json.loads(line))
        background.extend(r for r in requests if r.get("background"))
        for request in requests:
            if not request.get("background"):
                handle(worker, request)
        if background and not any(not r.get("background") for r in requests):
            handle(worker, background.pop(0))
        worker.reap()
        # Idle (nothing asked, nothing to import): the next execution's child can be made.
        if not background and b"\n" not in pending and not selector.select(0):
            worker.make_spare()


def handle(worker, request):
    answer = {"id": request.get("id")}
    try:
        if request.get("op") == "prepare":
            answer.update(worker.prepare(request["script"]))
        elif request.get("op") == "fork":
            answer.update(worker.fork(request))
        else:
            answer["error"] = "unknown request " + repr(request.get("op"))
    except Exception as error:
        answer["error"] = type(error).__name__ + ": " + str(error)
    worker.send(answer)


def main():
    if not hasattr(os, "fork") or not hasattr(os, "setsid"):
        sys.stderr.write("pipetest worker: this platform has no fork()\n")
        return 2
    # The worker only imports: without the cyclic garbage collector, which would walk the
    # libraries' new objects again and again while they load, importing numpy, pandas and
    # scikit-learn takes ~15% less CPU. Their garbage stays (frozen with them, see freeze);
    # each child turns the collector back on, as a fresh interpreter has it.
    gc.disable()
    # Replies go to the original stdout; fd 1 becomes stderr for anything else.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    worker = Worker(sys.argv[1], sys.argv[2], reply_fd)
    reply(reply_fd, {"ready": True, "pid": os.getpid()})
    serve(worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
