"""Runs AWS CLI commands one after another in one Python process, for tests (awscli.go).

Starting the AWS CLI costs about a second of CPU, nearly all of it Python starting and
importing awscli and botocore; the command itself takes a fifth of that. This runner imports
awscli once, then for each request does what the `aws` script does -- sys.exit(
awscli.clidriver.main()) with sys.argv set -- with the request's environment, stdin empty and
stdout and stderr captured (and awscli's own package re-run under that environment, as
its import edits it), so every command still gets a new session, new credentials, new
clients and the installed CLI's own parsing, signing and output.

It is run as `PYTHON -c SCRIPT AWS`, AWS being the CLI's executable, whose directory heads
sys.path as a script's own does.

Protocol (one JSON document per line): it first writes {"version": "aws-cli/X.Y.Z"}; then for
each request {"args": [...], "env": ["K=V", ...]} it answers
{"code": N, "stdout": base64, "stderr": base64}. It ends at the end of its input.
"""

import base64
import importlib
import io
import json
import os
import sys
import traceback

# As when the aws script runs: its directory first on sys.path (with -c it is the cwd).
sys.path[0] = os.path.dirname(os.path.realpath(sys.argv[1]))

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402 -- the import each process would pay, paid once


def run(args, env, enc, errs):
    os.environ.clear()
    os.environ.update(kv.split("=", 1) for kv in env)
    # The same fix-up the aws script makes before importing awscli.
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""), encoding=enc)
    sys.stdout = io.TextIOWrapper(out, encoding=enc, errors=errs[0], write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding=enc, errors=errs[1], write_through=True)
    sys.argv = ["aws"] + list(args)
    try:
        # Importing awscli edits the environment (AWS_DATA_PATH gains awscli's data
        # directory); a process does it under its own environment, so it is done again here.
        importlib.reload(awscli)
        code = awscli.clidriver.main()
    except SystemExit as e:
        code = e.code
    except BaseException:  # as the interpreter reports an uncaught exception: exit status 1
        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message") prints it and exits 1
        print(code, file=sys.stderr)
        code = 1
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    # Read before the wrappers go: a collected TextIOWrapper closes its buffer.
    captured = out.getvalue(), err.getvalue()
    sys.stdin, sys.stdout, sys.stderr, sys.argv = saved
    return (code & 0xFF,) + captured


def main():
    # The protocol keeps its own copies of fds 0 and 1; the CLI gets /dev/null on them, so
    # nothing it writes outside sys.stdout can corrupt an answer.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    enc = sys.__stdout__.encoding or "utf-8"
    errs = (sys.__stdout__.errors or "strict", sys.__stderr__.errors or "backslashreplace")
    def send(doc):
        proto_out.write(json.dumps(doc).encode() + b"\n")
        proto_out.flush()

    send({"version": "aws-cli/" + awscli.__version__})
    for line in proto_in:
        req = json.loads(line)
        code, out, err = run(req["args"], req["env"], enc, errs)
        send({"code": code, "stdout": base64.b64encode(out).decode(), "stderr": base64.b64encode(err).decode()})


if __name__ == "__main__":
    main()
