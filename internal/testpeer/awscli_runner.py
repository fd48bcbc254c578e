"""Runs AWS CLI commands one after another in one Python process, for tests (awscli.go).

Starting the AWS CLI costs about a second of CPU, nearly all of it Python starting and
importing awscli and botocore; the command itself takes a fifth of that. This runner imports
awscli once, then for each request does what the `aws` script does -- sys.exit(
awscli.clidriver.main()) with sys.argv set -- with the request's environment, stdin empty and
stdout and stderr captured (and awscli's own package re-run under that environment, as
its import edits it), so every command still gets a new session, new credentials, new
clients and the installed CLI's own parsing, signing and output. The standard streams copy
the interpreter's own (encoding, errors, buffering), and the logging configuration (which
the CLI extends per command, and --debug raises) is put back after each command.

What a runner shares with a process only because awscli.go sees to it: the variables the
interpreter reads as it starts (PYTHON*, the locale, TZ) are those of the commands it runs;
`help` runs as a process (it pipes to a pager on fd 1). What still differs: warnings shown
"once" are shown once per runner, tracebacks name this file, and HOME is the first
command's as far as Python's user site directory goes (tests use fresh HOMEs: none).

It is run as `PYTHON -c SCRIPT AWS LC_CTYPE`, AWS being the CLI's executable, whose
directory heads sys.path as a script's own does, and LC_CTYPE the variable's value in the
environment it was started with ("-" when unset), so that a value the interpreter set as it
coerced the C locale (PEP 538) is set again for each command, as a process would have it.

Protocol (one JSON document per line): it first writes {"version": "aws-cli/X.Y.Z"}; then for
each request {"args": [...], "env": ["K=V", ...]} it answers
{"code": N, "stdout": base64, "stderr": base64}. It ends at the end of its input.
"""

import base64
import importlib
import io
import json
import logging
import os
import sys
import traceback

# As when the aws script runs: its directory first on sys.path (with -c it is the cwd).
sys.path[0] = os.path.dirname(os.path.realpath(sys.argv[1]))

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402 -- the import each process would pay, paid once


EXE = sys.argv[1]
# The value PEP 538's locale coercion gave LC_CTYPE as this interpreter started, if it did.
COERCED_LC_CTYPE = os.environ.get("LC_CTYPE") if sys.argv[2] == "-" else None


def stream_like(std, buf):
    """A text stream over buf with the encoding, errors and buffering of std."""
    return io.TextIOWrapper(buf, encoding=std.encoding, errors=std.errors,
                            line_buffering=std.line_buffering, write_through=std.write_through)


def logging_state():
    """The handlers, level, propagation and disabled flag of every logger."""
    loggers = [logging.getLogger()] + [
        v for v in logging.Logger.manager.loggerDict.values() if isinstance(v, logging.Logger)]
    return [(lg, list(lg.handlers), lg.level, lg.propagate, lg.disabled) for lg in loggers]


def restore_logging(state):
    known = set()
    for lg, handlers, level, propagate, disabled in state:
        known.add(lg)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled
    for v in list(logging.Logger.manager.loggerDict.values()):  # loggers made by the command
        if isinstance(v, logging.Logger) and v not in known:
            v.handlers.clear()
            v.setLevel(logging.NOTSET)


def run(args, env):
    os.environ.clear()
    os.environ.update(kv.split("=", 1) for kv in env)
    if COERCED_LC_CTYPE is not None and "LC_CTYPE" not in os.environ:
        os.environ["LC_CTYPE"] = COERCED_LC_CTYPE
    # The same fix-up the aws script makes before importing awscli.
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv
    logs = logging_state()
    sys.stdin = stream_like(sys.__stdin__, io.BytesIO(b""))
    sys.stdout = stream_like(sys.__stdout__, out)
    sys.stderr = stream_like(sys.__stderr__, err)
    sys.argv = [EXE] + list(args)
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
    restore_logging(logs)
    return (code & 0xFF,) + captured


def main():
    # The protocol keeps its own copies of fds 0 and 1; the CLI gets /dev/null on them, so
    # nothing it writes outside sys.stdout can corrupt an answer.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)

    def send(doc):
        proto_out.write(json.dumps(doc).encode() + b"\n")
        proto_out.flush()

    send({"version": "aws-cli/" + awscli.__version__})
    for line in proto_in:
        req = json.loads(line)
        code, out, err = run(req["args"], req["env"])
        send({"code": code, "stdout": base64.b64encode(out).decode(), "stderr": base64.b64encode(err).decode()})


if __name__ == "__main__":
    main()
