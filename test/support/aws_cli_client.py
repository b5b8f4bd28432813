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


def main():
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
