"""Test peers for the ZeroMQ transport, driven line by line over stdin/stdout.

  peer.py zmq bind|connect ADDRESS   a libzmq PAIR socket, as apart-gtk makes one
                                     prints "ready ENDPOINT", then answers commands:
                                       send BASE64       -> "sent" | "timeout"
                                       sendmulti B64 B64 -> "sent" | "timeout"
                                       recv MILLISECONDS -> "msg BASE64" | "timeout"
                                       sendexit BASE64   -> sends, closes (flushing it) and exits
                                       flood COUNT BYTES -> queues COUNT messages of BYTES bytes, each
                                                            filled with its index % 251: "flooded"
  peer.py churn ADDRESS COUNT        COUNT presenters in a row, each a new socket that connects,
                                     sends "churn I", waits up to 5 s for a reply and closes at
                                     once; prints "churned N SECONDS" (N replies came back)
"""
import base64
import sys


def zmq_peer(mode, address):
    import zmq

    context = zmq.Context()
    sock = context.socket(zmq.PAIR)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDTIMEO, 5000)
    if mode == "bind":
        sock.bind(address)
    else:
        sock.connect(address)
    print("ready", sock.getsockopt_string(zmq.LAST_ENDPOINT) if mode == "bind" else address, flush=True)
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        command, _, argument = line.strip().partition(" ")
        try:
            if command == "send":
                sock.send(base64.b64decode(argument))
                print("sent", flush=True)
            elif command == "sendmulti":
                sock.send_multipart([base64.b64decode(part) for part in argument.split(" ")])
                print("sent", flush=True)
            elif command == "sendexit":
                sock.send(base64.b64decode(argument))
                sock.close(linger=5000)
                context.term()
                return
            elif command == "flood":
                count, size = (int(n) for n in argument.split(" "))
                for index in range(count):
                    sock.send(bytes([index % 251]) * size)
                print("flooded", flush=True)
            elif command == "recv":
                if sock.poll(int(argument)):
                    print("msg", base64.b64encode(sock.recv()).decode(), flush=True)
                else:
                    print("timeout", flush=True)
            else:
                print("unknown", command, flush=True)
        except zmq.Again:
            print("timeout", flush=True)
    sock.close()
    context.term()


def churn(address, count):
    import time
    import zmq

    context = zmq.Context()
    replies = 0
    started = time.monotonic()
    for index in range(count):
        sock = context.socket(zmq.PAIR)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(address)
        sock.send(b"churn %d" % index)
        if sock.poll(5000) and sock.recv() == b"churn %d" % index:
            replies += 1
        sock.close()
    print("churned", replies, round(time.monotonic() - started, 2), flush=True)
    context.term()


if __name__ == "__main__":
    if sys.argv[1] == "zmq":
        zmq_peer(sys.argv[2], sys.argv[3])
    else:
        churn(sys.argv[2], int(sys.argv[3]))
