"""`aws` on the moto tests' PATH: hands this call to aws_cli_server.py (the real AWS CLI, loaded once).

It sends its arguments, environment, working directory, umask and stdin/stdout/stderr to the server beside it
(the socket `aws-cli.sock` in this file's folder), forwards SIGINT, SIGTERM and SIGHUP to the CLI process, and
exits as that process did. Only the standard library is used, so it starts with `python -S`.
"""
import array
import json
import os
import signal
import socket
import struct
import sys


def _recv_int(conn):
    data = b""
    while len(data) < 4:
        chunk = conn.recv(4 - len(data))
        if not chunk:
            sys.stderr.write("aws (test fork server): the server closed the connection\n")
            sys.exit(255)
        data += chunk
    return struct.unpack("!i", data)[0]


def _log_call():
    """With SECURE_EMR_AWS_CALL_LOG=FILE in the environment of the test run: appends "<script>TAB<arguments>" for this
    call, <script> being the emitted script (*.sh) that made it, else "-" (the tests' own calls)."""
    path = os.environ.get("SECURE_EMR_AWS_CALL_LOG")
    if not path:
        return
    try:
        with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
            caller = f.read().split(b"\0")
        caller = " ".join(a.decode() for a in caller if a)
    except OSError:
        caller = "?"
    script = "-"
    for word in caller.split():
        if word.endswith(".sh"):
            script = os.path.basename(word)
    with open(path, "a") as f:
        f.write(script + "\t" + " ".join(a.replace("\n", " ") for a in sys.argv[1:]) + "\n")


def main():
    _log_call()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.dup2(os.open(os.devnull, os.O_RDWR), fd)
    umask = os.umask(0)
    os.umask(umask)
    body = json.dumps(
        {"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(), "umask": umask}
    ).encode()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws-cli.sock"))
    conn.sendmsg(
        [struct.pack("!I", len(body))],
        [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))],
    )
    conn.sendall(body)
    pid = _recv_int(conn)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, _frame: os.kill(pid, number))
    status = _recv_int(conn)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
