"""pipetest's Python harness: runs one script's main() in this (child) process.

Usage: python python_harness.py REQUEST_JSON

REQUEST_JSON holds script_path, input_paths, output_paths, environ_vars, job_args and
result_file. The script is imported by path under its file stem (so its
`if __name__ == "__main__":` block does not run), with its folder first on sys.path, and
main(input_paths=..., output_paths=..., environ_vars=..., job_args=argparse.Namespace(...))
is called, as in the cursus script contract.

The verdict (success, import-error, no-main, bad-signature, exception, exit) is written as
JSON to result_file rather than printed: whatever the script prints cannot corrupt it.
Standard library only; Python 3.8 or newer.
"""

import argparse
import builtins
import faulthandler
import importlib.util
import io
import json
import os
import signal
import sys
import weakref

CONTRACT = ("input_paths", "output_paths", "environ_vars", "job_args")
CONTRACT_CALL = "main(input_paths=..., output_paths=..., environ_vars=..., job_args=...)"
# The harness' source, as its frames name it in tracebacks. Not __file__: pipetest usually
# runs a compiled copy (python python_harness-<digest>.cpython-311.pyc, see harness-cache.ts)
# whose code still carries the source's path.
HARNESS_FILE = os.path.abspath((lambda: None).__code__.co_filename)


def write_result(result_file, outcome, message, tb=None, exit_code=None):
    data = {"outcome": outcome, "message": message}
    if tb:
        data["traceback"] = tb
    if exit_code is not None:
        data["exit_code"] = exit_code
    # Rename into place so the parent never reads half a result.
    partial = result_file + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(partial, result_file)


def describe(exc):
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not hide the real failure
        text = "<unprintable " + type(exc).__name__ + ">"
    return type(exc).__name__ + (": " + text if text else "")


def format_traceback(exc):
    """The traceback without the harness's and importlib's own frames: only the user's code."""
    import traceback  # only failures pay for it

    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    te.stack = traceback.StackSummary.from_list(
        [
            frame
            for frame in te.stack
            if not frame.filename.startswith("<frozen importlib")
            and os.path.abspath(frame.filename) != HARNESS_FILE
        ]
    )
    return "".join(te.format())


def exit_code_of(system_exit):
    code = system_exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1  # sys.exit("message") prints the message and exits 1


def flush_and_terminate(signum, _frame):
    """On pipetest's SIGTERM (timeout/abort), keep what the script printed so far."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def default_sigterm_in_forks():
    """A process the script forks gets SIGTERM's default action, as under a plain interpreter.

    A fork-started multiprocessing pool ends (Pool.terminate, the `with` block's exit) by
    sending SIGTERM to its processes, possibly while one is still starting; one that had
    inherited the handler above hung. Resetting it in the child is not enough: a SIGTERM that
    came between the fork and the reset was caught by Python and then dropped (the handler
    was default by the time Python looked). So SIGTERM stays blocked across the fork, and
    the child unblocks it only once the default action is back: nothing is lost.
    """
    if not hasattr(os, "register_at_fork") or not hasattr(signal, "pthread_sigmask"):
        return
    unblock = []

    def before():
        if signal.getsignal(signal.SIGTERM) is flush_and_terminate:
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            unblock.append(signal.SIGTERM not in mask)

    def after(child):
        if not unblock:
            return
        if child and signal.getsignal(signal.SIGTERM) is flush_and_terminate:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if unblock.pop():
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})

    os.register_at_fork(
        before=before,
        after_in_parent=lambda: after(False),
        after_in_child=lambda: after(True),
    )


# pipetest sends this signal shortly before killing a script that timed out: faulthandler
# then writes every thread's stack to the request's stack_file, and the failure shows it.
STACK_SIGNAL = getattr(signal, "SIGUSR1", None)


def dump_stacks_on_signal(stack_file):
    if STACK_SIGNAL is None or not stack_file:
        return None
    try:
        handle = open(stack_file, "w", encoding="utf-8")
        faulthandler.register(STACK_SIGNAL, file=handle, all_threads=True)
        return handle
    except (OSError, RuntimeError, ValueError):
        return None


class OpenFiles:
    """The file objects the script opens, so they can be flushed before a fast exit.

    Interpreter teardown (finalising every module and object) is 15-19% of an execution with
    scientific imports, and its only effect a script can observe is that objects are
    finalised: above all, files the script never closed get their buffers flushed. Recording
    what `open` returns lets the harness flush exactly those, run `atexit`, and leave.
    """

    def __init__(self):
        self.files = weakref.WeakSet()
        self.original = builtins.open

        def recording_open(*args, **kwargs):
            handle = self.original(*args, **kwargs)
            try:
                self.files.add(handle)
            except TypeError:
                pass
            return handle

        recording_open.__doc__ = self.original.__doc__
        builtins.open = recording_open
        io.open = recording_open

    def flush(self):
        for handle in list(self.files):
            try:
                if not handle.closed:
                    handle.flush()
            except Exception:
                pass


def exit_without_teardown(code, open_files):
    """Leaves as a normal exit would, minus the teardown — when that is safe.

    Runs the `atexit` handlers (logging, multiprocessing and the script's own), flushes every
    file the script opened and the standard streams, then `os._exit`. A non-daemon thread
    still running means the normal exit would wait for it: then the normal exit it is.
    Set PIPETEST_PYTHON_TEARDOWN=1 to always tear down (a C library that writes on finalise).
    """
    import threading

    main_thread = threading.main_thread()
    waiting = [t for t in threading.enumerate() if t is not main_thread and not t.daemon]
    if waiting or os.environ.get("PIPETEST_PYTHON_TEARDOWN") == "1":
        return code
    run_exit_handlers(open_files)
    os._exit(code)


def run_exit_handlers(open_files):
    """What a normal exit does for the script, short of tearing the interpreter down: its
    `atexit` handlers, then every file it opened and the standard streams flushed."""
    import atexit

    try:
        atexit._run_exitfuncs()
    except Exception:
        pass
    open_files.flush()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def load_script(script_path):
    module_name = os.path.splitext(os.path.basename(script_path))[0]
    spec = importlib.util.spec_from_file_location(module_name, script_path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import " + script_path + " as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered before running it (as `import` does) so pickle, dataclasses and
    # self-imports see the module; but never shadow a module that is already loaded.
    if module_name not in sys.modules:
        sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def accepts_contract_fast(main):
    """True when a plain function's code object shows main takes the contract's keywords.

    `inspect` costs ~8 ms to import (it pulls in dis, ast, tokenize) on every execution; the
    code object answers the common case. Anything unusual returns False and gets the full
    check, which also words the failure.
    """
    code = getattr(main, "__code__", None)
    if code is None or hasattr(main, "__wrapped__") or not callable(main):
        return False
    if type(main).__name__ != "function":
        return False  # bound methods, partials, callable objects: let inspect decide
    positional_count = code.co_argcount
    keyword_only_count = code.co_kwonlyargcount
    names = code.co_varnames
    by_keyword = set(names[getattr(code, "co_posonlyargcount", 0):positional_count])
    by_keyword.update(names[positional_count:positional_count + keyword_only_count])
    takes_kwargs = bool(code.co_flags & 0x08)
    if not all(name in by_keyword or (takes_kwargs and name not in names) for name in CONTRACT):
        return False
    defaults = main.__defaults__ or ()
    required_positional = names[:positional_count - len(defaults)]
    keyword_defaults = main.__kwdefaults__ or {}
    required_keyword = [
        name for name in names[positional_count:positional_count + keyword_only_count]
        if name not in keyword_defaults
    ]
    return all(name in CONTRACT for name in list(required_positional) + required_keyword)


def signature_problem(main, script_file):
    """A sentence saying why main cannot be called with the contract's keywords, or None."""
    if accepts_contract_fast(main):
        return None
    import inspect  # only unusual or wrong signatures pay for it

    try:
        signature = inspect.signature(main)
    except (TypeError, ValueError):
        return None  # builtins and some C callables: nothing to check, the call will tell
    params = signature.parameters
    takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in params.values())
    by_keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    missing = [
        name
        for name in CONTRACT
        if not (name in params and params[name].kind in by_keyword)
        and not (name not in params and takes_kwargs)
    ]
    extra_required = [
        p.name
        for p in params.values()
        if p.name not in CONTRACT
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    actual = "main" + str(signature)
    if missing:
        return (
            "main() in " + script_file + " does not accept " + ", ".join(missing)
            + " (actual signature: " + actual + "); pipetest calls " + CONTRACT_CALL
        )
    if extra_required:
        return (
            "main() in " + script_file + " requires " + ", ".join(extra_required)
            + ", which pipetest does not pass (actual signature: " + actual
            + "); give it a default, e.g. " + extra_required[0] + "=None"
        )
    return None


def run(request_file):
    with open(request_file, encoding="utf-8") as handle:
        request = json.load(handle)
    result_file = request["result_file"]
    script_path = request["script_path"]
    script_file = os.path.basename(script_path)

    def fail(outcome, message, tb=None, exit_code=None):
        # Also on stderr, so the log reads like the script's own failure would.
        sys.stderr.write(tb if tb else "pipetest: " + message + "\n")
        sys.stderr.flush()
        write_result(result_file, outcome, message, tb, exit_code)
        return 1

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, flush_and_terminate)
        default_sigterm_in_forks()
    dump_stacks_on_signal(request.get("stack_file"))
    environ_vars = {str(k): str(v) for k, v in request["environ_vars"].items()}
    os.environ.update(environ_vars)
    # The script sees itself as the program, not the harness and its request file.
    sys.argv = [script_path]
    # Python put the folder of the file it was given (source or compiled copy) first.
    harness_dir = os.path.dirname(os.path.abspath(__file__))
    script_dir = os.path.dirname(os.path.abspath(script_path))
    if sys.path and os.path.abspath(sys.path[0] or ".") == harness_dir:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)

    try:
        module = load_script(script_path)
    except SystemExit as exc:
        return fail(
            "import-error",
            "importing " + script_file + " called sys.exit(" + repr(exc.code) + ") at module"
            " level, so main() never ran (argparse outside `if __name__ == \"__main__\":`?)",
            exit_code=exit_code_of(exc),
        )
    except BaseException as exc:
        message = "importing " + script_file + " failed: " + describe(exc)
        if isinstance(exc, ImportError):
            # A module missing here may be installed for another Python: say which one ran.
            message += (
                "\n  interpreter: " + sys.executable + " (another one: \"python\" in"
                " pipetest.config.json, PIPETEST_PYTHON, --python, or the spec's \"python\")"
            )
        return fail("import-error", message, format_traceback(exc))

    main = getattr(module, "main", None)
    if main is None:
        return fail("no-main", script_file + " has no main() function")
    if not callable(main):
        kind = type(main).__name__
        return fail("no-main", script_file + " defines main, but it is a " + kind + ", not a function")
    problem = signature_problem(main, script_file)
    if problem:
        return fail("bad-signature", problem)

    try:
        main(
            input_paths=dict(request["input_paths"]),
            output_paths=dict(request["output_paths"]),
            environ_vars=environ_vars,
            job_args=argparse.Namespace(**request["job_args"]),
        )
    except SystemExit as exc:
        message = "main() called sys.exit(" + repr(exc.code) + ")"
        write_result(result_file, "exit", message, exit_code=exit_code_of(exc))
        raise
    except BaseException as exc:
        return fail("exception", "main() raised " + describe(exc), format_traceback(exc))
    write_result(result_file, "success", "main() returned")
    return 0


if __name__ == "__main__":
    _open_files = OpenFiles()
    sys.exit(exit_without_teardown(run(sys.argv[1]), _open_files))
