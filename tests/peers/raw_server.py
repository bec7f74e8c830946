"""A deliberately misbehaving WebSocket server for the Swift and Kotlin tests, on 127.0.0.1.

Prints `PORT <n>` once listening and exits when its stdin closes. Paths:
`/silent`: a valid 101, then it reads everything and never answers (pings go unanswered);
`/reject`: `403 Forbidden` with the body `forbidden`.
"""

import asyncio
import base64
import hashlib
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    key = next(
        line.split(":", 1)[1].strip()
        for line in lines[1:]
        if line.lower().startswith("sec-websocket-key:")
    )
    if path.startswith("/reject"):
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden")
        await writer.drain()
        writer.close()
        return
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    while await reader.read(65536):
        pass
    writer.close()


def exit_when_stdin_closes(loop, stop):
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set_result, None)


async def main():
    stop = asyncio.get_running_loop().create_future()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    threading.Thread(
        target=exit_when_stdin_closes, args=(asyncio.get_running_loop(), stop), daemon=True
    ).start()
    async with server:
        await stop


asyncio.run(main())
