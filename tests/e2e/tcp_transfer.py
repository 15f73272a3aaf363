#!/usr/bin/python3
"""Moves a random payload over TCP and prints its SHA-256 on both ends.

  tcp_transfer.py serve PORT          -> prints "<bytes> <sha256>" of what it received
  tcp_transfer.py send HOST PORT SIZE -> prints "<bytes> <sha256>" of what it sent
"""
import hashlib
import os
import socket
import sys


def serve(port: int) -> None:
    with socket.create_server(("0.0.0.0", port)) as srv:
        srv.settimeout(30)
        conn, _ = srv.accept()
        conn.settimeout(30)
        digest, total = hashlib.sha256(), 0
        with conn:
            while chunk := conn.recv(65536):
                digest.update(chunk)
                total += len(chunk)
    print(total, digest.hexdigest())


def send(host: str, port: int, size: int) -> None:
    payload = os.urandom(size)
    with socket.create_connection((host, port), timeout=30) as conn:
        conn.sendall(payload)
    print(len(payload), hashlib.sha256(payload).hexdigest())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
