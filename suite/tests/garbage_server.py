#!/usr/bin/python3
"""Test-only "server" for suite/tests: accepts TCP on 127.0.0.1:PORT and
answers every request with bytes that are not a WebSocket handshake, so
./verify must reject it. Never part of competition/."""
import socket
import sys

port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(64)
while True:
    conn, _ = srv.accept()
    conn.settimeout(2)
    try:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ngarbage!\x00\xff\x81\x05")
    except OSError:
        pass
    conn.close()
