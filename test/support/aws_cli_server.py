"""The real AWS CLI, loaded once: a fork server for the tests that run the emitted scripts on moto_server.

Every `aws` call of an emitted script otherwise pays about 0.7 s (1 s through the pyenv shim) to start Python,
import awscli and botocore, and parse the service models, and the moto tests make hundreds of calls. This server
imports awscli once and parses the service models the scripts use once; for each call it forks and runs the
unchanged `awscli.clidriver.main()` with the caller's arguments, environment, working directory, umask and
file descriptors (passed over a Unix socket), and reports its exit status. The scripts are not changed: they
call `aws` from PATH, and `aws_cli_client.py` (installed as `aws` on the tests' PATH) is that entry point.

Differences from a fresh `aws` process, none of which the emitted scripts rely on:
- botocore's JSON model loader keeps parsed model files in memory (each forked call gets its own copy-on-write
  copy, so nothing one call does reaches another), and so do its listings of the data folders (which services
  and API versions exist) and botocore.hooks' check of whether a handler takes **kwargs (about 400 handlers
  are registered per call): the files, folders and functions do not change while the server runs;
- only stdin, stdout and stderr are passed (no other inherited descriptors, so no `/dev/fd/N` arguments);
- the CLI process is the server's child, not the caller's: not in the caller's process group, rlimits or cgroup.
  The client forwards SIGINT, SIGTERM and SIGHUP once it knows the CLI's pid; a SIGKILLed client leaves the call
  running to its end.

Usage: python aws_cli_server.py SOCKET_PATH   (prints "ready" on stdout once listening)
"""
import array
import gc
import importlib
import json
import os
import signal
import socket
import struct
import sys

import awscli
import awscli.clidriver
import botocore.hooks
import botocore.loaders

SERVICES = (
    "cloudformation",
    "ec2",
    "emr",
    "iam",
    "kms",
    "logs",
    "s3",
    "secretsmanager",
    "ssm",
    "sts",
)

_parsed = {}
_load_file = botocore.loaders.JSONFileLoader.load_file


def _cached_load_file(self, file_path):
    if file_path not in _parsed:
        _parsed[file_path] = _load_file(self, file_path)
    return _parsed[file_path]


_listings = {}


def _cache_listing(name):
    """Loader.<name> (which services or API versions the data folders hold: thousands of stat and listdir calls
    each time) answered once per search path and arguments. Each caller gets its own copy of a list."""
    original = getattr(botocore.loaders.Loader, name)

    def cached(self, *args, **kwargs):
        key = (name, tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
        if key not in _listings:
            _listings[key] = original(self, *args, **kwargs)
        value = _listings[key]
        return list(value) if isinstance(value, list) else value

    cached.__name__ = name
    setattr(botocore.loaders.Loader, name, cached)


_accepts_kwargs = botocore.hooks.accepts_kwargs
_kwargs_answers = {}


def _cached_accepts_kwargs(func):
    """botocore.hooks checks every handler registered (about 400 per call) with inspect.getfullargspec: the
    answer depends on the function alone (a bound method's on its function), so it is worked out once."""
    key = getattr(func, "__func__", func)
    try:
        return _kwargs_answers[key]
    except KeyError:
        answer = _kwargs_answers[key] = _accepts_kwargs(func)
        return answer
    except TypeError:  # not hashable
        return _accepts_kwargs(func)


def _warm():
    """Parses the top-level data files and the newest model files of SERVICES into the cache."""
    botocore.loaders.JSONFileLoader.load_file = _cached_load_file
    for name in ("list_available_services", "list_api_versions", "determine_latest_version"):
        _cache_listing(name)
    botocore.hooks.accepts_kwargs = _cached_accepts_kwargs
    loader = botocore.loaders.JSONFileLoader()
    roots = [os.path.join(os.path.dirname(m.__file__), "data") for m in (botocore, awscli)]
    for root in roots:
        for name in os.listdir(root):
            if name.endswith(".json") or name.endswith(".json.gz"):
                loader.load_file(os.path.join(root, name.split(".json")[0]))
        for service in SERVICES:
            service_dir = os.path.join(root, service)
            if not os.path.isdir(service_dir):
                continue
            versions = sorted(v for v in os.listdir(service_dir) if os.path.isdir(os.path.join(service_dir, v)))
            if not versions:
                continue
            newest = os.path.join(service_dir, versions[-1])
            for name in os.listdir(newest):
                if name.endswith(".json") or name.endswith(".json.gz"):
                    loader.load_file(os.path.join(newest, name.split(".json")[0]))


WARM_UP_CALLS = (
    ("sts", "get-caller-identity"),
    ("ec2", "describe-vpcs"),
    ("emr", "list-clusters"),
    ("cloudformation", "describe-stacks"),
    ("kms", "list-keys"),
    ("s3api", "list-buckets"),
    ("s3", "ls", "s3://warm-up"),
    ("iam", "list-roles"),
    ("logs", "describe-log-groups"),
)


def _warm_up_imports():
    """Runs a few calls in-process against a closed port, so the modules a call imports on first use are
    imported once here. Nothing is sent anywhere (connection refused, one attempt); the environment is restored."""
    saved = dict(os.environ)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_ACCESS_KEY_ID": "warm-up",
            "AWS_SECRET_ACCESS_KEY": "warm-up",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    devnull = os.open(os.devnull, os.O_WRONLY)
    kept = os.dup(1), os.dup(2)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        for call in WARM_UP_CALLS:
            sys.argv = ["aws", *call]
            try:
                awscli.clidriver.main()
            except BaseException:  # noqa: BLE001 — only imports matter here
                pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(kept[0], 1)
        os.dup2(kept[1], 2)
        os.close(devnull)
        os.environ.clear()
        os.environ.update(saved)


def _recv_request(conn):
    """One request: a 4-byte length, then JSON {argv, env, cwd, umask}, with stdin/stdout/stderr as SCM_RIGHTS."""
    fds = array.array("i")
    header, ancdata, _, _ = conn.recvmsg(4, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    (length,) = struct.unpack("!I", header)
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            raise EOFError("short request")
        body += chunk
    return json.loads(body), list(fds)


def _run_cli(request, fds):
    """In the forked child: become the caller's process, then run the CLI exactly as its entry point does."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    for sig in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    # As at a fresh Python start-up: SIGINT raises KeyboardInterrupt, SIGPIPE is ignored (writes fail with EPIPE).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    importlib.reload(awscli)  # its import adds its data folder to the caller's AWS_DATA_PATH, as on a fresh start
    sys.argv = request["argv"]
    code = 255
    try:
        code = awscli.clidriver.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # a crash of the CLI is a failure, as with a real process
        import traceback

        traceback.print_exc()
        code = 255
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # the reader may have gone away, as with a real process
                pass
    os._exit(code if isinstance(code, int) else 1)


def _serve_one(conn):
    """In a per-connection child: fork the CLI, tell the client its pid, wait, send the wait status."""
    request, fds = _recv_request(conn)
    pid = os.fork()
    if pid == 0:
        conn.close()
        _run_cli(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(struct.pack("!i", pid))
    _, status = os.waitpid(pid, 0)
    conn.sendall(struct.pack("!i", status))
    conn.close()


def main():
    path = sys.argv[1]
    _warm()
    _warm_up_imports()
    # What is loaded now stays for every call: keep it out of the collector's work (and its pages shared after fork).
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # reap per-connection children automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                _serve_one(conn)
            finally:
                os._exit(0)
        conn.close()


if __name__ == "__main__":
    main()
