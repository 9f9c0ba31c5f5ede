# sdpo4j test harness: runs solution.py, then each test of tests.json, inside the sandbox.
# Prints one line "SDPO4J_RESULT <nonce> <json>" with the first failure (or none). Never trusts
# the solution: it runs in its own namespace dict and every test is guarded.
import ast
import json
import os
import sys
import traceback


def line_of(tb, filename):
    for frame in reversed(traceback.extract_tb(tb)):
        if frame.filename == filename:
            return frame.lineno
    return None


PLAIN = (type(None), bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset)


def plain(value, depth=0):
    # Exact builtin types only: a solution returning an object whose __eq__ always says True
    # would otherwise pass every "assert f(x) == y".
    if type(value) not in PLAIN or depth > 100:
        return False
    if type(value) in (list, tuple, set, frozenset):
        return all(plain(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(plain(k, depth + 1) and plain(v, depth + 1) for k, v in value.items())
    return True


def read_nonce():
    # The scorer trusts only a result line carrying this nonce. The file is gone and the nonce is
    # a local of main() before the solution runs, so a solution that prints a made-up result line
    # and exits does not score (one that inspects the harness's stack frames still could).
    with open("nonce", encoding="ascii") as f:
        nonce = f.read().strip()
    os.remove("nonce")
    return nonce


def main(nonce):
    def report(obj):
        sys.__stdout__.write("\nSDPO4J_RESULT " + nonce + " " + json.dumps(obj) + "\n")
        sys.__stdout__.flush()

    source = open("solution.py", encoding="utf-8").read()
    tests = json.load(open("tests.json", encoding="utf-8"))
    env = {"__name__": "__solution__"}
    try:
        code = compile(source, "solution.py", "exec")
    except SyntaxError as e:
        report({"status": "error", "kind": "SyntaxError", "message": str(e.msg), "line": e.lineno})
        return
    try:
        exec(code, env)
    except BaseException as e:  # noqa: BLE001 - the solution's own failure is the feedback
        report({"status": "error", "kind": type(e).__name__, "message": str(e)[:500],
                "line": line_of(e.__traceback__, "solution.py")})
        return
    for i, test in enumerate(tests):
        try:
            tree = ast.parse(test, mode="exec")
            node = tree.body[0] if tree.body else None
            if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1 \
                    and isinstance(node.test.ops[0], ast.Eq):
                actual = eval(compile(ast.Expression(node.test.left), "test", "eval"), env)
                expected = eval(compile(ast.Expression(node.test.comparators[0]), "test", "eval"), env)
                if plain(expected) and not plain(actual):
                    report({"status": "fail", "test": test, "index": i, "expected": repr(expected)[:300],
                            "actual": "a " + type(actual).__name__ + " object, not a plain value"})
                    return
                if actual != expected:
                    report({"status": "fail", "test": test, "index": i, "expected": repr(expected)[:300],
                            "actual": repr(actual)[:300]})
                    return
            else:
                exec(compile(tree, "test", "exec"), env)
        except AssertionError:
            report({"status": "fail", "test": test, "index": i})
            return
        except BaseException as e:  # noqa: BLE001
            report({"status": "error", "kind": type(e).__name__, "message": str(e)[:500], "test": test,
                    "line": line_of(e.__traceback__, "solution.py")})
            return
    report({"status": "pass", "tests": len(tests)})


main(read_nonce())
