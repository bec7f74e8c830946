"""A deliberately misbehaving WebSocket server for the Swift and Kotlin tests, on 127.0.0.1.

Prints `PORT <n>` once listening and exits when its stdin closes. Paths:
`/silent`: a valid 101, then it reads everything and never answers (pings go unanswered);
`/reject`: `403 Forbidden` with the body `forbidden`;
`/violation/<id>`: sends the text `before`, then a frame with the reserved bit RSV1 set, reads the
client's frames until its close frame, echoes it and records its code under `<id>`;
`/eof`: sends the text `last words`, then ends the TCP connection without a close frame;
`/reset`: sends the text `last words`, then resets the connection;
`/pingflood`: sends 64 MiB of pings (125-byte payloads) and then the text `done`, reading nothing;
`/flood/<id>`: sends 48 binary messages of 1 MiB (message i filled with byte i), reading nothing,
and records under `<id>` when all are written;
`/flooded/<id>`: sends `written` if that flood has been written, else `writing`, then closes;
`/report/<id>`: sends the code recorded under `<id>` as a text message (waiting up to 10 s for it;
`none` if the client sent no close frame), then closes with 1000.
"""

import asyncio
import base64
import hashlib
import socket
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# Close codes the clients of `/violation/<id>` sent, by id: a future each.
recorded = {}

# The ids of `/flood/<id>` sessions whose messages are all written.
flooded = set()


def record(name):
    if name not in recorded:
        recorded[name] = asyncio.get_running_loop().create_future()
    return recorded[name]


def frame(first, payload):
    length = len(payload)
    if length < 126:
        return bytes([first, length]) + payload
    if length <= 0xFFFF:
        return bytes([first, 126]) + length.to_bytes(2, "big") + payload
    return bytes([first, 127]) + length.to_bytes(8, "big") + payload


async def ping_flood(reader, writer):
    pings = b"".join(frame(0x89, index.to_bytes(4, "big") + b"p" * 121) for index in range(8192))
    for _ in range((64 << 20) // len(pings)):
        writer.write(pings)
        await writer.drain()
    writer.write(frame(0x81, b"done"))
    await writer.drain()
    await reader.read()  # until the client goes away; reads nothing before


async def flood(reader, writer, name):
    for index in range(48):
        writer.write(frame(0x82, bytes([index]) * (1 << 20)))
        await writer.drain()
    flooded.add(name)
    await reader.read()


async def read_client_frame(reader):
    """(opcode, payload) of the next masked client frame."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    mask = await reader.readexactly(4)
    payload = bytearray(await reader.readexactly(length))
    for index in range(len(payload)):
        payload[index] ^= mask[index % 4]
    return first & 0x0F, bytes(payload)


async def violate_and_record(reader, writer, name):
    writer.write(frame(0x81, b"before") + frame(0xC1, b"rsv1"))
    await writer.drain()
    code = "none"
    try:
        while True:
            opcode, payload = await read_client_frame(reader)
            if opcode == 0x8:
                code = str(int.from_bytes(payload[:2], "big")) if len(payload) >= 2 else "1005"
                writer.write(frame(0x88, payload))
                await writer.drain()
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    if not record(name).done():
        record(name).set_result(code)
    writer.close()


async def report(writer, name):
    try:
        code = await asyncio.wait_for(asyncio.shield(record(name)), 10)
    except asyncio.TimeoutError:
        code = "nothing recorded"
    writer.write(frame(0x81, code.encode()) + frame(0x88, (1000).to_bytes(2, "big")))
    await writer.drain()
    writer.close()


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
    if path.startswith("/violation/"):
        await violate_and_record(reader, writer, path.split("/")[2])
        return
    if path.startswith("/report/"):
        await report(writer, path.split("/")[2])
        return
    if path.startswith("/pingflood"):
        await ping_flood(reader, writer)
        writer.close()
        return
    if path.startswith("/flood/"):
        await flood(reader, writer, path.split("/")[2])
        writer.close()
        return
    if path.startswith("/flooded/"):
        state = b"written" if path.split("/")[2] in flooded else b"writing"
        writer.write(frame(0x81, state) + frame(0x88, (1000).to_bytes(2, "big")))
        await writer.drain()
        writer.close()
        return
    if path.startswith("/eof") or path.startswith("/reset"):
        writer.write(frame(0x81, b"last words"))
        await writer.drain()
        if path.startswith("/reset"):
            await asyncio.sleep(0.1)
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()
        return
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
