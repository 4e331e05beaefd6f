"""A presenter run as another user (through setpriv) against a service-mode core.

    service_client.py raw PATH SECONDS    connect(2) to the Unix socket at PATH, send a ZMTP
                                          greeting, and report what came back before EOF or
                                          the time is up
    service_client.py zmq ADDRESS SECONDS a pyzmq PAIR client: sends a status-request at once
                                          and collects messages until two have come or time is up

Prints one JSON object on standard output. It only observes: the test decides what is right.
"""

import errno
import json
import socket
import sys
import time

# ZMTP 3.0: signature, version 3.0, mechanism NULL, as-server 0, filler.
GREETING = b"\xff" + bytes(8) + b"\x7f" + bytes([3, 0]) + b"NULL".ljust(20, b"\0") + b"\0" + bytes(31)


def raw(path, seconds):
    result = {"connect": "ok", "received": "", "closed": False}
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(path)
    except OSError as error:
        result["connect"] = errno.errorcode.get(error.errno, str(error.errno))
        return result
    client.settimeout(seconds)
    received = b""
    try:
        client.sendall(GREETING)
    except OSError as error:
        result["send_error"] = errno.errorcode.get(error.errno, str(error.errno))
    deadline = time.monotonic() + seconds
    try:
        # Until the core closes: past its greeting (64 bytes) it waits for a handshake this never sends.
        while time.monotonic() < deadline:
            chunk = client.recv(64)
            if not chunk:
                result["closed"] = True
                break
            received += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        result["closed"] = True
    result["received"] = received.hex()
    client.close()
    return result


def zmq_client(address, seconds):
    import yaml
    import zmq

    context = zmq.Context()
    pair = context.socket(zmq.PAIR)
    pair.setsockopt(zmq.LINGER, 0)
    pair.connect(address)
    result = {"sent": False, "messages": []}
    try:
        pair.send(b"type: status-request\n", zmq.NOBLOCK)
        result["sent"] = True
    except zmq.Again:
        pass
    deadline = time.monotonic() + seconds
    while len(result["messages"]) < 2:
        left = deadline - time.monotonic()
        if left <= 0 or pair.poll(int(left * 1000)) == 0:
            break
        text = pair.recv().decode("utf-8", errors="replace")
        message = yaml.safe_load(text)
        result["messages"].append({"type": message.get("type"), "status": message.get("status"), "raw": text})
    pair.close(0)
    context.term()
    return result


if __name__ == "__main__":
    mode, where, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    outcome = raw(where, seconds) if mode == "raw" else zmq_client(where, seconds)
    print(json.dumps(outcome))
