"""pipetest's contract extractor: what Python scripts read, found without running them.

Run by the interpreter that will run the scripts, so its own `ast` parses any syntax that
interpreter accepts and its own import system answers "is this module installed?".
Reads a JSON request on stdin:

    {"scripts": [path, ...], "contracts": [path, ...]}

and prints one JSON object: for each script the names `main` reads from input_paths,
output_paths, environ_vars and job_args (with literal defaults and whether they are
required), os.environ reads, imports (standard library, local with their files, third-party
with whether they can be found), and main's signature; for each cursus `*_contract.py` the
literal arguments of its `ScriptContract(...)` call and the installed versions of its
framework_requirements. Nothing is imported or executed: modules are located with
importlib.util.find_spec, which only looks. A key that is computed is reported as such,
never guessed. Python 3.8+, standard library only.
"""

import ast
import json
import os
import sys
import importlib.util

ROLES = {
    "input_paths": "inputs",
    "output_paths": "outputs",
    "environ_vars": "env",
    "job_args": "jobArgs",
}
CONTRACT = tuple(ROLES)
# Calls that take a whole dict only to show it: they read no particular key.
SHOWING = {"print", "len", "str", "repr", "bool", "isinstance", "type", "id", "format"}
SHOWING_OWNERS = {"logger", "logging", "log", "LOGGER", "LOG", "_logger", "warnings"}
DICT_GETTERS = {"get", "pop", "setdefault"}
DICT_ITERATORS = {"items", "keys", "values", "update", "copy", "__iter__"}
IMPORT_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
NOT_LITERAL = object()
ABSENT = object()


def literal(node):
    """The value of a literal expression (also `-1`, tuples, dicts), else NOT_LITERAL."""
    try:
        return ast.literal_eval(node)
    except Exception:
        return NOT_LITERAL


def constant_str(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def is_main_guard(stmt):
    """`if __name__ == "__main__":` — its body never runs when the harness imports the script."""
    if not isinstance(stmt, ast.If) or not isinstance(stmt.test, ast.Compare):
        return False
    parts = [stmt.test.left] + list(stmt.test.comparators)
    names = [p.id for p in parts if isinstance(p, ast.Name)]
    values = [p.value for p in parts if isinstance(p, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def dotted(node):
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Reads:
    """The names read per role, merged over every place that reads them."""

    def __init__(self):
        self.keys = {role: {} for role in ROLES.values()}
        self.computed = []
        self.whole = []

    def read(self, role, name, line, required, default=None, has_default=False, via=None):
        entries = self.keys[role]
        entry = entries.get(name)
        if entry is None:
            entry = {"name": name, "required": required, "line": line}
            if via:
                entry["via"] = via
            entries[name] = entry
        elif required and not entry["required"]:
            entry["required"] = True
            entry["line"] = line
        if has_default and "default" not in entry:
            entry["default"] = default

    def unknown(self, role, line, reason, whole=False):
        (self.whole if whole else self.computed).append(
            {"role": role, "line": line, "reason": reason}
        )


class ScriptReader:
    """Follows input_paths/output_paths/environ_vars/job_args from main into the functions
    of the same module it hands them to, and os.environ everywhere that runs."""

    def __init__(self, tree):
        self.tree = tree
        self.reads = Reads()
        self.functions = {}
        self.os_names = {"os"}
        # `from os import environ as env`: the local names of os.environ and os.getenv.
        self.os_imports = {"environ": set(), "getenv": set()}
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[stmt.name] = stmt
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.name == "os":
                        self.os_names.add(alias.asname or "os")
            elif isinstance(stmt, ast.ImportFrom) and stmt.module == "os":
                for alias in stmt.names:
                    if alias.name in self.os_imports:
                        self.os_imports[alias.name].add(alias.asname or alias.name)
        self.seen = set()

    def read_module(self):
        body = [
            s
            for s in self.tree.body
            if not is_main_guard(s)
            and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ]
        Visitor(self, {}, "<module>").visit_all(body)
        main = self.functions.get("main")
        if main is not None:
            self.follow(main, {p: ROLES[p] for p in parameter_names(main) if p in ROLES})

    def follow(self, function, bindings, constants=None):
        constants = constants or {}
        key = (function.name, tuple(sorted(bindings.items())), tuple(sorted(constants.items(), key=repr)))
        if key in self.seen:
            return
        self.seen.add(key)
        Visitor(self, bindings, function.name, constants).visit_all(function.body)

    def is_os(self, node, attr):
        """Whether `node` is os.<attr> (`environ`, `getenv`), however it was imported."""
        name = dotted(node)
        if name is None:
            return False
        head, _, last = name.rpartition(".")
        return name in self.os_imports[attr] or (last == attr and head in self.os_names)


def parameter_names(function):
    a = function.args
    return [p.arg for p in getattr(a, "posonlyargs", []) + a.args + a.kwonlyargs]


class Visitor:
    """Reads one function body (with its nested functions, which see the same names)."""

    def __init__(self, reader, bindings, where, constants=None):
        self.reader = reader
        self.reads = reader.reads
        self.names = dict(bindings)
        self.where = where
        # Parameters called with a literal: `_ratio(environ_vars, "TRAIN_RATIO", 0.7)`.
        self.constants = dict(constants or {})

    def key_of(self, node):
        """A literal string key, also through a parameter that was called with one."""
        if sys.version_info < (3, 9) and isinstance(node, ast.Index):  # 3.8 wraps subscripts
            node = node.value
        value = self.literal_of(node)
        return value if isinstance(value, str) else None

    def literal_of(self, node):
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        return literal(node)

    def visit_all(self, body):
        self.find_aliases(body)
        for stmt in body:
            self.visit(stmt, frozenset())

    def find_aliases(self, body):
        """`inp = input_paths`, `env = environ_vars or {}`, `paths = dict(input_paths)`."""
        assigns = [
            n
            for stmt in body
            for n in ast.walk(stmt)
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
        ]
        changed = True
        while changed:
            changed = False
            for node in assigns:
                role = self.role_of(node.value)
                if role is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and self.names.get(target.id) != role:
                        self.names[target.id] = role
                        changed = True

    def role_of(self, node):
        """The role of an expression that *is* one of the four dicts (or os.environ)."""
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if self.reader.is_os(node, "environ"):
            return "env"
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self.role_of(node.values[0])
        if isinstance(node, ast.Call):
            func, args = node.func, node.args
            if isinstance(func, ast.Name) and func.id == "dict" and len(args) == 1 and not node.keywords:
                return self.role_of(args[0])
            if isinstance(func, ast.Attribute) and func.attr == "copy" and not args:
                return self.role_of(func.value)
        return None

    def via(self, node):
        return "os.environ" if self.reader.is_os(node, "environ") else None

    def guards_of(self, test):
        """Names an `if` checks for: `"k" in input_paths`, `hasattr(job_args, "k")`."""
        found = set()
        tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        for t in tests:
            if (
                isinstance(t, ast.Compare)
                and len(t.ops) == 1
                and isinstance(t.ops[0], ast.In)
                and self.key_of(t.left) is not None
            ):
                role = self.role_of(t.comparators[0])
                if role is not None:
                    found.add((role, self.key_of(t.left)))
            if isinstance(t, ast.Call) and isinstance(t.func, ast.Name) and t.func.id == "hasattr":
                if len(t.args) == 2 and self.role_of(t.args[0]) == "jobArgs":
                    name = self.key_of(t.args[1])
                    if name is not None:
                        found.add(("jobArgs", name))
        return frozenset(found)

    def visit(self, node, guards):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)):
            if self.role_of(node.test) is None:
                self.visit(node.test, guards)
            inner = guards | self.guards_of(node.test)
            for child in node.body if isinstance(node.body, list) else [node.body]:
                self.visit(child, inner)
            for child in node.orelse if isinstance(node.orelse, list) else [node.orelse]:
                self.visit(child, guards)
            return
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if self.role_of(node.value) is not None and all(isinstance(t, ast.Name) for t in targets):
                return  # an alias, found by find_aliases
        if self.is_truth_test(node):
            return
        if isinstance(node, ast.BoolOp):
            for value in node.values:  # `environ_vars or {}`, `if job_args and ...`
                if self.role_of(value) is None:
                    self.visit(value, guards)
            return
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            role = self.role_of(node.value)
            if role is not None:
                self.read_key(role, node.slice, node.lineno, guards, self.via(node.value))
                self.visit(node.slice, guards)
                return
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if self.role_of(node.value) == "jobArgs":
                self.reads.read("jobArgs", node.attr, node.lineno, ("jobArgs", node.attr) not in guards)
                return
        if isinstance(node, ast.Compare) and self.read_membership(node):
            return
        if isinstance(node, ast.Call) and self.read_call(node, guards):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.names:
            reason = "%s is used as a whole in %s" % (node.id, self.where)
            self.reads.unknown(self.names[node.id], node.lineno, reason, whole=True)
            return
        if isinstance(node, ast.Attribute) and self.reader.is_os(node, "environ"):
            self.reads.unknown("env", node.lineno, "os.environ is used as a whole", whole=True)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child, guards)

    def is_truth_test(self, node):
        """A bare dict tested for emptiness or shown in an f-string reads no key."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.role_of(node.operand) is not None
        if isinstance(node, ast.FormattedValue):
            return self.role_of(node.value) is not None
        return False

    def read_key(self, role, key, line, guards=None, via=None, default=ABSENT, what="key"):
        """One read of the key the expression `key` names, or of a computed one. `guards` (the
        names checked for first) is None for a read that cannot fail; `default` is the
        default's expression, None for `.get("k")`. Returns whether the key was named."""
        name = self.key_of(key)
        if name is None:
            self.reads.unknown(role, line, "a computed %s in %s" % (what, self.where))
            return False
        if default is ABSENT:
            self.reads.read(role, name, line, guards is not None and (role, name) not in guards, via=via)
            return True
        value = None if default is None else self.literal_of(default)
        shown = {"computed": source_of(default)} if value is NOT_LITERAL else json_safe(value)
        self.reads.read(role, name, line, False, shown, True, via)
        return True

    def read_membership(self, node):
        """`"k" in input_paths` names k without reading it; `is None` checks read nothing."""
        handled = False
        for op, right in zip(node.ops, node.comparators):
            role = self.role_of(right)
            if isinstance(op, (ast.In, ast.NotIn)) and role is not None:
                self.read_key(role, node.left, node.lineno, via=self.via(right))
                handled = True
            if isinstance(op, (ast.Is, ast.IsNot)) and self.role_of(node.left) is not None:
                handled = True
        return handled

    def read_call(self, node, guards):
        func = node.func
        # input_paths.get("k", default), os.environ.get(...), .pop, .setdefault
        if isinstance(func, ast.Attribute):
            role = self.role_of(func.value)
            if role is not None and func.attr in DICT_GETTERS:
                self.read_getter(role, node, node.args, self.via(func.value))
                return True
            if role is not None and func.attr in DICT_ITERATORS:
                self.reads.unknown(
                    role, node.lineno, "%s.%s() in %s" % (dotted(func.value) or "it", func.attr, self.where), whole=True
                )
                for arg in node.args:
                    self.visit(arg, guards)
                return True
        if self.reader.is_os(func, "getenv"):
            self.read_getter("env", node, node.args, "os.environ")
            return True
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr") and len(node.args) >= 2:
            if self.role_of(node.args[0]) == "jobArgs":
                # hasattr reads nothing; getattr with a default cannot fail.
                default = node.args[2] if len(node.args) >= 3 else ABSENT
                checked = None if func.id == "hasattr" else guards
                self.read_key("jobArgs", node.args[1], node.lineno, checked, default=default, what="attribute")
                return True
        if isinstance(func, ast.Name) and func.id == "vars" and node.args:
            role = self.role_of(node.args[0])
            if role is not None:
                self.reads.unknown(role, node.lineno, "vars() in %s" % self.where, whole=True)
                return True
        callee = self.reader.functions.get(func.id) if isinstance(func, ast.Name) else None
        if callee is not None:
            # A function of this module runs when called: its reads count, also of os.environ.
            self.reader.follow(callee, *self.bindings_for(callee, node))
        else:
            passed = self.passed_roles(node)
            if not passed:
                return False
            if not self.is_showing(func):
                for role in passed:
                    self.reads.unknown(
                        role, node.lineno, "passed to %s() in %s" % (dotted(func) or "a call", self.where), whole=True
                    )
            self.visit(func, guards)
        for arg in node.args + [k.value for k in node.keywords]:
            if self.role_of(arg) is None:
                self.visit(arg, guards)
        return True

    def read_getter(self, role, node, args, via):
        default = args[1] if len(args) >= 2 else None
        if args and self.read_key(role, args[0], node.lineno, via=via, default=default):
            for arg in args[1:]:
                self.visit(arg, frozenset())

    def passed_roles(self, node):
        args = list(node.args) + [k.value for k in node.keywords]
        args += [a.value for a in node.args if isinstance(a, ast.Starred)]
        return [r for r in (self.role_of(a) for a in args) if r is not None]

    def bindings_for(self, function, call):
        """Which parameters of `function` receive one of the dicts, and which a literal."""
        params = [p.arg for p in getattr(function.args, "posonlyargs", []) + function.args.args]
        bindings = {}
        constants = {}
        pairs = [(params[i], arg) for i, arg in enumerate(call.args) if i < len(params)]
        pairs += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
        for param, arg in pairs:
            role = self.role_of(arg)
            if role is not None:
                bindings[param] = role
                continue
            value = self.literal_of(arg)
            if value is not NOT_LITERAL and isinstance(value, (str, int, float, bool)):
                constants[param] = value
        return bindings, constants

    def is_showing(self, func):
        if isinstance(func, ast.Name):
            return func.id in SHOWING
        name = dotted(func)
        return name is not None and name.split(".")[0] in SHOWING_OWNERS


def source_of(node):
    try:
        return ast.unparse(node)  # 3.9+
    except Exception:
        return "an expression"


def json_safe(value):
    try:
        json.dumps(value)
        return value
    except Exception:
        return {"computed": repr(value)}


def main_signature(tree):
    """main's parameters as the harness will see them, or why main cannot be read."""
    defs = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "main"]
    found = defs[-1] if defs else None  # the last definition is the one that counts
    if found is None:
        mentioned = any(
            (isinstance(n, ast.Name) and n.id == "main")
            or (isinstance(n, ast.alias) and (n.asname or n.name) == "main")
            or (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == "main")
            for stmt in tree.body
            if not is_main_guard(stmt)
            for n in ast.walk(stmt)
        )
        return {"kind": "unknown" if mentioned else "no-main"}
    a = found.args
    parameters = []
    positional = getattr(a, "posonlyargs", []) + a.args
    defaults_from = len(positional) - len(a.defaults)
    for i, p in enumerate(positional):
        kind = "positional-only" if i < len(getattr(a, "posonlyargs", [])) else "positional"
        parameters.append({"name": p.arg, "kind": kind, "hasDefault": i >= defaults_from})
    if a.vararg:
        parameters.append({"name": a.vararg.arg, "kind": "var-positional", "hasDefault": True})
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        parameters.append({"name": p.arg, "kind": "keyword-only", "hasDefault": d is not None})
    if a.kwarg:
        parameters.append({"name": a.kwarg.arg, "kind": "var-keyword", "hasDefault": True})
    return {"kind": "def", "line": found.lineno, "parameters": parameters}


# 3.10+ lists the standard library; 3.8 and 3.9 do not, so there a module is told by its folder.
STDLIB_NAMES = getattr(sys, "stdlib_module_names", None)
STDLIB = set(STDLIB_NAMES or ()) | set(sys.builtin_module_names)
STDLIB_DIRS = []
try:
    import sysconfig

    STDLIB_DIRS = [os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")]
except Exception:
    pass


def local_file(folder, parts):
    """The file a module path names inside `folder` (module.py or package/__init__.py)."""
    base = os.path.join(folder, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    if os.path.isdir(base) and parts:
        return base  # a namespace package
    return None


def classify(top, script_dir, found_cache):
    """stdlib, third-party (found or not) for a top-level module name outside the script's folder."""
    if top == "__future__" or top in STDLIB:
        return "stdlib", True
    key = (top, script_dir)
    if key not in found_cache:
        sys.path.insert(0, script_dir)
        try:
            spec = importlib.util.find_spec(top)
        except Exception:
            spec = None
        finally:
            sys.path.pop(0)
        origin = getattr(spec, "origin", None) if spec else None
        kind = "third-party"
        if spec is not None and STDLIB_NAMES is None and origin:
            real = os.path.realpath(origin)
            if any(real.startswith(d + os.sep) for d in STDLIB_DIRS) and "site-packages" not in real:
                kind = "stdlib"
        if spec is not None and origin in ("built-in", "frozen"):
            kind = "stdlib"
        found_cache[key] = (kind, spec is not None)
    return found_cache[key]


def handler_guards_imports(handler):
    t = handler.type
    if t is None:
        return True
    names = [dotted(n) or "" for n in (t.elts if isinstance(t, ast.Tuple) else [t])]
    return any(n.split(".")[-1] in IMPORT_GUARDS for n in names)


def imports_of(tree):
    """(module, level, line, guarded, in_function) for each import that runs when imported."""
    found = []

    def walk(node, guarded, in_function):
        def add(module, level=0, names=()):
            found.append((module, level, node.lineno, guarded, in_function, names))

        if isinstance(node, ast.If) and is_main_guard(node):
            return
        if isinstance(node, ast.If) and dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for child in node.orelse:
                walk(child, guarded, in_function)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
            return
        if isinstance(node, ast.ImportFrom):
            if node.module:
                # `from pkg import name` may import the submodule pkg/name.py: its names go along.
                add(node.module, node.level, tuple(alias.name for alias in node.names if alias.name != "*"))
            else:
                for alias in node.names:
                    add(alias.name, node.level)
            return
        if isinstance(node, ast.Call) and dotted(node.func) in ("importlib.import_module", "import_module", "__import__"):
            if node.args and constant_str(node.args[0]) is not None:
                add(constant_str(node.args[0]))
        if isinstance(node, ast.Try):
            inner = guarded or any(handler_guards_imports(h) for h in node.handlers)
            for child in node.body:
                walk(child, inner, in_function)
            for child in node.handlers + node.orelse + node.finalbody:
                walk(child, guarded, in_function)
            return
        function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            walk(child, guarded, in_function or function)

    for stmt in tree.body:
        walk(stmt, False, False)
    return found


def read_imports(script, tree, found_cache):
    """The script's imports and, transitively, those of its local modules."""
    script_dir = os.path.dirname(os.path.abspath(script))
    imports = []
    local_files = []
    queue = [(os.path.abspath(script), tree)]
    visited = {os.path.abspath(script)}
    while queue:
        file, module_tree = queue.pop(0)
        here = os.path.dirname(file)
        for module, level, line, guarded, in_function, names in imports_of(module_tree):
            parts = module.split(".")
            entry = {"module": module, "line": line}
            if file != os.path.abspath(script):
                entry["from"] = file
            if guarded:
                entry["guarded"] = True
            if in_function:
                entry["inFunction"] = True
            folder = here if level > 0 else script_dir
            for _ in range(level - 1):  # `from .. import x`: one folder up per extra dot
                folder = os.path.dirname(folder)
            target = local_file(folder, parts)
            if target is None and level == 0 and here != script_dir:
                target = local_file(here, parts)
            if target is not None or level > 0:
                entry.update(kind="local", available=target is not None)
                if target is not None:
                    entry["file"] = target
                    nested = [target] if target.endswith(".py") else []
                    package = os.path.dirname(target) if target.endswith("__init__.py") else target
                    if os.path.isdir(package):
                        for name in names:
                            submodule = local_file(package, [name])
                            if submodule is not None and submodule.endswith(".py"):
                                nested.append(submodule)
                    for file_ in nested:
                        if file_ in visited:
                            continue
                        visited.add(file_)
                        local_files.append(file_)
                        nested_tree = parse_file(file_)[0]  # one that cannot be parsed adds nothing
                        if nested_tree is not None:
                            queue.append((file_, nested_tree))
            else:
                entry["kind"], entry["available"] = classify(parts[0], script_dir, found_cache)
            imports.append(entry)
    return imports, local_files


def parse_file(path):
    """(tree, None), or (None, the error to report) for a file that cannot be parsed."""
    try:
        with open(path, "rb") as handle:
            return ast.parse(handle.read(), path), None
    except SyntaxError as error:
        return None, {"error": {"kind": "syntax", "message": "%s (line %s)" % (error.msg, error.lineno), "line": error.lineno}}
    except (OSError, ValueError) as error:
        return None, {"error": {"kind": "unreadable", "message": str(error)}}


def read_script(path, found_cache):
    tree, error = parse_file(path)
    if error:
        return error
    reader = ScriptReader(tree)
    reader.read_module()
    imports, local_files = read_imports(path, tree, found_cache)
    reads = reader.reads
    result = {role: list(keys.values()) for role, keys in reads.keys.items()}
    result.update(main=main_signature(tree), computed=reads.computed, whole=reads.whole)
    result.update(imports=imports, localFiles=local_files)
    return result


CONTRACT_FIELDS = (
    "entry_point",
    "expected_input_paths",
    "expected_output_paths",
    "expected_arguments",
    "required_env_vars",
    "optional_env_vars",
    "framework_requirements",
)


def read_contract(path):
    """The literal keyword arguments of the first `ScriptContract(...)` call in a file."""
    tree, error = parse_file(path)
    if error:
        return error
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (dotted(node.func) or "").split(".")[-1] == "ScriptContract":
            fields = {}
            unreadable = []
            for keyword in node.keywords:
                if keyword.arg in CONTRACT_FIELDS:
                    value = literal(keyword.value)
                    if value is NOT_LITERAL:
                        unreadable.append(keyword.arg)
                    else:
                        fields[keyword.arg] = json_safe(value)
            requirements = fields.get("framework_requirements")
            installed = {name: installed_version(name) for name in requirements} if isinstance(requirements, dict) else {}
            return {"line": node.lineno, "fields": fields, "unreadable": unreadable, "installed": installed}
    return {"error": {"kind": "no-contract", "message": "no ScriptContract(...) call"}}


def installed_version(distribution):
    from importlib import metadata  # 3.8+; imported only when a contract names requirements

    try:
        return metadata.version(distribution)
    except Exception:
        return None


def run():
    request = json.load(sys.stdin)
    found_cache = {}
    result = {
        "python": {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]},
        "scripts": {},
        "contracts": {},
    }
    for path in request.get("scripts", []):
        try:
            result["scripts"][path] = read_script(path, found_cache)
        except RecursionError:
            result["scripts"][path] = {"error": {"kind": "unreadable", "message": "nested too deeply to read"}}
    for path in request.get("contracts", []):
        result["contracts"][path] = read_contract(path)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    run()
