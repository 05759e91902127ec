"""A minimal QMP client (Python standard library only), written to the QMP specification so it
works the same against ghost86 and QEMU: greeting, capabilities negotiation, commands with ids,
and asynchronous events kept aside while waiting for a reply."""

import json
import os
import socket
import time


class QmpError(Exception):
    def __init__(self, error):
        super().__init__(f"{error.get('class')}: {error.get('desc')}")
        self.cls = error.get("class")
        self.desc = error.get("desc")


class QmpClient:
    def __init__(self, address, timeout=60.0):
        """address: a Unix socket path (str) or a (host, port) tuple."""
        self.timeout = timeout
        self.events = []
        self._buf = b""
        self._next_id = 0
        family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(address)
        self.greeting = self.read_message()

    @staticmethod
    def connect(address, process=None, timeout=60.0):
        """Connects once the server listens (retrying while `process` still runs)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return QmpClient(address, timeout)
            except (FileNotFoundError, ConnectionRefusedError):
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"the server exited with status {process.returncode} before listening")
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def read_message(self):
        """The next JSON message from the server (reply or event); None at end of stream."""
        while True:
            line, sep, rest = self._buf.partition(b"\n")
            if sep:
                self._buf = rest
                if line.strip():
                    return json.loads(line)
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self._buf += chunk

    def read_reply(self):
        """The next reply (return or error), keeping events that arrive before it."""
        while True:
            msg = self.read_message()
            if msg is None:
                raise EOFError("connection closed while waiting for a reply")
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def execute_raw(self, command, arguments=None, id=None):
        msg = {"execute": command}
        if arguments is not None:
            msg["arguments"] = arguments
        if id is None:
            self._next_id += 1
            id = f"c{self._next_id}"
        msg["id"] = id
        self.send_raw(json.dumps(msg) + "\n")
        reply = self.read_reply()
        if reply.get("id") != id:
            raise AssertionError(f"reply id {reply.get('id')!r}, expected {id!r}: {reply}")
        return reply

    def execute(self, command, arguments=None):
        reply = self.execute_raw(command, arguments)
        if "error" in reply:
            raise QmpError(reply["error"])
        return reply["return"]

    def negotiate(self):
        return self.execute("qmp_capabilities")

    def wait_event(self, name, timeout=None):
        """Returns (and removes) the first event called `name`, reading until it arrives."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {name} event")
            msg = self.read_message()
            if msg is None:
                raise EOFError(f"connection closed while waiting for {name}")
            if "event" in msg:
                self.events.append(msg)
            else:
                raise AssertionError(f"unexpected reply while waiting for {name}: {msg}")


def send_text(qmp, text, hold_ms=10):
    """Types `text` with send-key, one key (with shift where needed) per command, each held
    `hold_ms` (QMP's default, 100 ms, makes typing slow)."""
    shifted = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
               "(": "9", ")": "0", "_": "minus", "+": "equal", ":": "semicolon", '"': "apostrophe",
               "<": "comma", ">": "dot", "?": "slash", "|": "backslash", "~": "grave_accent"}
    plain = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", ";": "semicolon", "'": "apostrophe",
             ",": "comma", ".": "dot", "/": "slash", "\\": "backslash", "`": "grave_accent"}
    for ch in text:
        if ch in shifted:
            keys = ["shift", shifted[ch]]
        elif ch.isupper():
            keys = ["shift", ch.lower()]
        else:
            keys = [plain.get(ch, ch)]
        qmp.execute("send-key", {"keys": [{"type": "qcode", "data": k} for k in keys], "hold-time": hold_ms})


def temp_socket_path(name):
    base = os.environ.get("TMPDIR", "/tmp")
    return os.path.join(base, f"ghost86-{name}-{os.getpid()}.sock")


def screen_text(qmp, path):
    """The guest's text screen, through a screendump to `path` (a .txt file: the text grid)."""
    qmp.execute("screendump", {"filename": path})
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def wait_screen(qmp, path, needle, absent=False, limit=60.0):
    """Polls the text screen until it shows `needle` (or no longer does, with `absent`)."""
    deadline = time.monotonic() + limit
    while True:
        text = screen_text(qmp, path)
        if (needle in text) != absent:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"screen {'still shows' if absent else 'never showed'} {needle!r}:\n{text}")
        time.sleep(0.1)


def end_run(proc, *paths):
    """Kills `proc` if it still runs and removes the files a test left."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for path in paths:
        if os.path.exists(path):
            os.unlink(path)
