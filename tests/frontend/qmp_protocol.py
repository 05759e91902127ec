#!/usr/bin/env python3
"""QMP protocol conformance of ghost86 -qmp, on a machine held before its first instruction
(-S) so that nothing but the protocol is exercised: the greeting, negotiation, replies and
errors as the QMP specification gives them, and bad input of every kind answered with an error
while the machine keeps running. Usage: qmp_protocol.py GHOST86"""

import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp_client import QmpClient, QmpError, temp_socket_path  # noqa: E402


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_error(qmp, raw, cls="GenericError"):
    qmp.send_raw(raw)
    reply = qmp.read_reply()
    check("error" in reply and reply["error"]["class"] == cls and reply["error"]["desc"],
          f"{raw[:60]!r}: expected a {cls} error, got {reply}")
    return reply


def expect_command_error(qmp, command, arguments, cls="GenericError"):
    try:
        qmp.execute(command, arguments)
    except QmpError as e:
        check(e.cls == cls, f"{command} {arguments}: error class {e.cls}, expected {cls}")
        return
    raise AssertionError(f"{command} {arguments}: no error")


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def report(cmd):
    """The --report line (the last on stderr) of a run."""
    r = subprocess.run(cmd + ["--report"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    return r.stderr.strip().splitlines()[-1]


def main():
    ghost86 = sys.argv[1]
    # A QMP socket no client uses changes nothing in the run: same instruction count, same state.
    plain = [ghost86, "-bios", "demo", "--max-insns", "30000000"]
    sock = temp_socket_path("qmp-idle")
    with_qmp = report(plain + ["-qmp", f"unix:{sock},server,wait=off"])
    check(with_qmp.startswith("icount=") and with_qmp == report(plain), f"--report with an idle -qmp: {with_qmp}")

    path = temp_socket_path("qmp-protocol")
    port = free_tcp_port()
    proc = subprocess.Popen([ghost86, "-bios", "demo", "-S", "-qmp", f"unix:{path},server,wait=off",
                             "-qmp", f"tcp:127.0.0.1:{port},server,wait=off", "--wall-timeout", "120"],
                            stdout=subprocess.DEVNULL)
    try:
        qmp = QmpClient.connect(path, proc)
        g = qmp.greeting["QMP"]
        check(all(isinstance(g["version"]["qemu"][k], int) for k in ("major", "minor", "micro")), f"greeting {g}")
        check(g["capabilities"] == [], f"greeting capabilities {g}")

        # Commands before negotiation are refused; negotiation happens once.
        expect_command_error(qmp, "query-status", None, "CommandNotFound")
        expect_command_error(qmp, "qmp_capabilities", {"enable": ["oob"]})
        check(qmp.negotiate() == {}, "qmp_capabilities returns {}")
        expect_command_error(qmp, "qmp_capabilities", None, "CommandNotFound")

        # -S: paused before the first instruction.
        status = qmp.execute("query-status")
        check(status["running"] is False and status["status"] == "paused", f"query-status {status}")
        check(qmp.execute("query-icount")["icount"] == 0, "no instruction ran under -S")

        # The id comes back with returns and errors alike, whatever its JSON type.
        for ident in (42, "abc", {"x": [1]}):
            qmp.send_raw(json.dumps({"execute": "query-status", "id": ident}))
            check(qmp.read_reply()["id"] == ident, f"id {ident!r} echoed")
        reply = expect_error(qmp, json.dumps({"execute": "no-such-command", "id": 7}), "CommandNotFound")
        check(reply["id"] == 7, "id echoed with an error")

        # Malformed input of every kind.
        expect_error(qmp, b'{"execute": }\n')
        expect_error(qmp, b'[1, 2]\n')
        expect_error(qmp, b'hello\n')
        expect_error(qmp, b'{"arguments": {}}\n')
        expect_error(qmp, b'{"execute": 5}\n')
        expect_error(qmp, b'{"execute": "query-status", "arguments": [1]}\n')
        expect_error(qmp, b'{"execute": "query-status", "bogus": 1}\n')
        expect_command_error(qmp, "screendump", {})
        expect_command_error(qmp, "screendump", {"filename": 5})
        expect_command_error(qmp, "query-status", {"unexpected": True})
        expect_command_error(qmp, "send-key", {"keys": []})
        expect_command_error(qmp, "send-key", {"keys": [{"type": "qcode", "data": "no-such-key"}]})
        expect_command_error(qmp, "input-send-event", {"events": [{"type": "abs", "data": {"axis": "x", "value": 1}}]})
        expect_command_error(qmp, "screendump", {"filename": "/nonexistent-dir/x.ppm"})
        # Oversized (2 MiB) and too deeply nested messages are refused without being kept.
        big = b'{"execute": "query-status", "arguments": {"x": "' + b"a" * (2 << 20) + b'"}}\n'
        expect_error(qmp, big)
        expect_error(qmp, b"[" * 5000 + b"]" * 5000)
        # Bytes that are no UTF-8 before a command: an error for them, then the command's reply.
        qmp.send_raw(b'\xff\xfe {"execute": "query-status", "id": "after"}')
        check("error" in qmp.read_reply(), "stray bytes get an error")
        check(qmp.read_reply().get("id") == "after", "the command after stray bytes runs")
        # A message split across writes, and two in one write.
        qmp.send_raw(b'{"execute": "query-')
        time.sleep(0.2)
        qmp.send_raw(b'status", "id": 1}{"execute": "query-status", "id": 2}')
        check(qmp.read_reply()["id"] == 1 and qmp.read_reply()["id"] == 2, "split and joined messages")

        # After all that the machine still answers.
        check(qmp.execute("query-status")["status"] == "paused", "still paused")
        out = qmp.execute("human-monitor-command", {"command-line": "info status"})
        check("paused" in out, f"info status: {out!r}")
        out = qmp.execute("human-monitor-command", {"command-line": "no-such-hmp-command"})
        check("unknown command" in out, f"unknown HMP command: {out!r}")
        names = {c["name"] for c in qmp.execute("query-commands")}
        check({"query-status", "stop", "cont", "quit", "screendump", "send-key"} <= names, f"query-commands {names}")

        # A second client, over TCP, negotiates on its own and sees events too.
        tcp = QmpClient.connect(("127.0.0.1", port), proc)
        expect_command_error(tcp, "query-status", None, "CommandNotFound")
        tcp.negotiate()
        check(tcp.execute("query-status")["status"] == "paused", "tcp client")

        # The picture of a machine that has not started: a PPM of some size.
        ppm = temp_socket_path("qmp-protocol") + ".ppm"
        qmp.execute("screendump", {"filename": ppm})
        with open(ppm, "rb") as f:
            check(f.read(2) == b"P6", "screendump writes a PPM by default")
        os.unlink(ppm)

        # quit: the reply, then SHUTDOWN to every client, then the end of the stream.
        check(qmp.execute("quit") == {}, "quit returns {}")
        for client in (qmp, tcp):
            ev = client.wait_event("SHUTDOWN")
            check(ev["data"] == {"guest": False, "reason": "host-qmp-quit"}, f"SHUTDOWN {ev}")
            check(isinstance(ev["timestamp"]["seconds"], int) and isinstance(ev["timestamp"]["microseconds"], int),
                  f"timestamp {ev}")
        check(qmp.read_message() is None, "the connection closes after quit")
        check(proc.wait(timeout=30) == 0, f"exit status {proc.returncode} after quit")
        check(not os.path.exists(path), "the socket file is removed at exit")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print("qmp protocol: ok")


if __name__ == "__main__":
    main()
