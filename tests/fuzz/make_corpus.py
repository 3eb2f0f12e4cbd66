#!/usr/bin/python3
"""Writes the seed corpus under corpus/<target>/ (committed; rerun after
changing a seed). Each seed is a small, valid or nearly valid input that
leads a target into its deeper paths; libFuzzer mutates from there."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "robust"))
import wsmini  # noqa: E402  (the kit's one frame builder)
from wsmini import server_frame  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="        # RFC 6455 section 1.3
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
MASK = b"\x37\xfa\x21\x3d"


def request(extra=b"", method=b"GET", version=b"13", key=KEY):
    return (method + b" /chat HTTP/1.1\r\nHost: server.example.com\r\n"
            b"Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: " +
            version + b"\r\n" + extra + b"\r\n")


def frame(op, payload, fin=True, rsv=0):
    """A client frame with the fixed MASK: seeds must not change between runs."""
    return wsmini.frame(op, payload, fin, mask=MASK, rsv=rsv)


SEEDS = {
    "upgrade": {
        "rfc": b"\xff" + request(),
        "with-frame": b"\xff" + request() + frame(1, b"Hello"),
        "version-8": b"\xff" + request(version=b"8"),
        "post": b"\xff" + request(method=b"POST"),
        "bad-key": b"\xff" + request(key=b"short"),
        "cut": b"\xff" + request()[:60],
        "small-cap": b"\x02" + request(),
    },
    "frame": {
        "text-masked": frame(1, b"Hello"),
        "binary-126": frame(2, bytes(range(200))),
        "binary-127": frame(2, b"\x00" * 70000)[:64],
        "close-1000": frame(8, struct.pack("!H", 1000) + b"bye"),
        "ping-unmasked": server_frame(9, b"ping"),
        "rsv-continuation": frame(0, b"abc", fin=False, rsv=0x40),
        "len-top-bit": b"\x82\xff\x80" + b"\x00" * 11,
    },
    "utf8": {
        "ascii": b"Hello, world! 0123456789",
        "greek": "\u03ba\u1f79\u03c3\u03bc\u03b5".encode(),
        "emoji": "\U0001f600 \u20ac \u00e9".encode(),
        "surrogate": b"\xed\xa0\x80",
        "above-max": b"\xf4\x90\x80\x80",
        "overlong": b"\xc0\xaf\xe0\x80\xaf",
        "truncated": b"abc\xe2\x82",
    },
    "cepoll": {
        # byte 0 even: start in the handshake; bits 1-7 pick max_message.
        "handshake-echo-close": b"\xfe\x11" + request() + frame(1, b"Hello")
        + frame(9, b"p") + frame(8, struct.pack("!H", 1000)),
        "fragmented": b"\xff\x23" + frame(1, b"Hel", fin=False)
        + frame(9, b"mid") + frame(0, b"lo") + frame(2, bytes(300)),
        "too-big": b"\x03\x05" + frame(2, bytes(200)),
        "bad-utf8": b"\xff\x07" + frame(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"),
        "refused": b"\x40\x00" + request(version=b"8"),
    },
    "client_handshake": {
        "rfc-101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + ACCEPT + b"\r\n\r\n",
        "101-with-frame": b"HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
        b"connection: keep-alive, upgrade\r\nsec-websocket-accept: " + ACCEPT
        + b"\r\n\r\n" + server_frame(2, b"x" * 24),
        "400": b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
        "wrong-accept": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
    },
    "client_frame": {
        # byte 0 picks the size, byte 1 bits 0-1 the genuine echoes before.
        "two-echoes-ping-close": b"\x04\x02" + server_frame(9, b"hi")
        + server_frame(8, struct.pack("!H", 1000)),
        "echo-then-text": b"\x00\x01" + server_frame(1, b"x" * 24),
        "fragment-control": b"\x10\x00" + server_frame(2, b"y" * 10, fin=False)
        + server_frame(10, b"pong") + server_frame(0, b"z" * 10),
        "masked": b"\x00\x03" + frame(2, b"m" * 24),
    },
    "codec_diff": {
        # bytes 0-1 seed the piece sizes, byte 2 the masking offset (bit 7:
        # compare accept keys); then one stream read both as frames and as text.
        "server-frames": b"\x12\x34\x05" + server_frame(1, b"Hello")
        + server_frame(2, bytes(range(200))) + server_frame(9, b"ping")
        + server_frame(8, struct.pack("!H", 1000) + b"bye"),
        "client-frames": b"\x00\x01\x03" + frame(1, b"Hel", fin=False) + frame(0, b"lo")
        + frame(10, b"") + frame(2, b"\x00" * 300),
        "rule-breakers": b"\xff\x00\x00" + b"\xc1\x01x"
        + b"\x83\x00" + server_frame(9, b"p", fin=False) + b"\x8a\x7e\x00\x7e" + b"z" * 126
        + b"\x88\x01\x03",
        "len-top-bit": b"\x07\x07\x00" + server_frame(2, b"ab") + b"\x82\x7f\x80" + b"\x00" * 7,
        "close-code": b"\x01\x02\x00" + struct.pack("!H", 1000) + b"normal",
        "close-bad-reason": b"\x01\x02\x00" + struct.pack("!H", 4000) + b"\xce\xba\xed\xa0\x80",
        "text": b"\x03\x04\x00" + "\u03ba\u1f79\u03c3\u03bc\u03b5 \U0001f600 \u20ac".encode(),
        "text-cut": b"\x03\x04\x00" + b"abc\xf0\x90\x80",
        "accept-key": b"\x00\x00\x80dGhlIHNhbXBsZSBub25jZQ==",
    },
}


def main():
    for target, seeds in SEEDS.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
