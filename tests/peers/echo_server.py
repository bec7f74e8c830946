"""A Python `websockets` peer for the uniws tests, bound to 127.0.0.1 on a free port.

Prints `PORT <n>` once listening and exits when its stdin closes (when the test process ends).
Paths: `/echo` echoes every message; `/headers` first sends the request headers as JSON pairs, then
echoes; `/close?code=C&reason=R` closes at once with that code and reason; `/ping` sends a ping,
waits for the pong and reports `pong` as a text message, then echoes.
An optional argument is a JSON object of `ServerPerMessageDeflateFactory` parameters; without it
the server compresses as `websockets` does by default.
"""

import asyncio
import json
import sys
import threading
import urllib.parse

from websockets.asyncio.server import serve
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


def select_subprotocol(connection, offered):
    return "chat.v1" if "chat.v1" in offered else None


async def handler(ws):
    url = urllib.parse.urlsplit(ws.request.path)
    query = dict(urllib.parse.parse_qsl(url.query))
    if url.path == "/headers":
        await ws.send(json.dumps([[name, value] for name, value in ws.request.headers.raw_items()]))
    elif url.path == "/close":
        await ws.close(int(query.get("code", "1000")), query.get("reason", ""))
        return
    elif url.path == "/ping":
        pong = await ws.ping(b"from-python")
        await asyncio.wait_for(pong, 5)
        await ws.send("pong")
    async for message in ws:
        await ws.send(message)


def exit_when_stdin_closes(loop, stop):
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set_result, None)


async def main():
    stop = asyncio.get_running_loop().create_future()
    compression = {"compression": "deflate"}
    if len(sys.argv) > 1:
        factory = ServerPerMessageDeflateFactory(**json.loads(sys.argv[1]))
        compression = {"compression": None, "extensions": [factory]}
    async with serve(
        handler,
        "127.0.0.1",
        0,
        select_subprotocol=select_subprotocol,
        max_size=None,
        ping_interval=None,
        **compression,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        threading.Thread(
            target=exit_when_stdin_closes, args=(asyncio.get_running_loop(), stop), daemon=True
        ).start()
        await stop


asyncio.run(main())
