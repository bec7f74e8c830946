// A Node `ws` peer for the uniws tests, bound to 127.0.0.1 on a free port.
// Prints `PORT <n>` once listening and exits when its stdin closes (when the test process ends).
// Paths: `/echo` echoes; `/headers` first sends the request headers as JSON pairs, then echoes;
// `/close?code=C&reason=R` closes at once; `/ping` sends a ping, reports `pong` when answered;
// `/bytes` echoes, and answers the text `bytes?` with the socket's byte counts as JSON.
// An optional argument is a JSON object of `ws`'s perMessageDeflate options (compression is off
// without it, as is `ws`'s default).
'use strict';
const { WebSocketServer } = require('ws');

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 256 * 1024 * 1024,
  handleProtocols: (offered) => (offered.has('chat.v1') ? 'chat.v1' : false),
  perMessageDeflate: process.argv[2] ? JSON.parse(process.argv[2]) : false,
});

server.on('listening', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});

server.on('connection', (ws, request) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  if (url.pathname === '/headers') {
    const pairs = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      pairs.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
    }
    ws.send(JSON.stringify(pairs));
  } else if (url.pathname === '/close') {
    ws.close(Number(url.searchParams.get('code') || 1000), url.searchParams.get('reason') || '');
    return;
  } else if (url.pathname === '/ping') {
    ws.once('pong', () => ws.send('pong'));
    ws.ping(Buffer.from('from-node'));
  }
  ws.on('message', (data, isBinary) => {
    if (url.pathname === '/bytes' && !isBinary && data.toString() === 'bytes?') {
      const socket = request.socket;
      ws.send(JSON.stringify({ read: socket.bytesRead, written: socket.bytesWritten }));
      return;
    }
    ws.send(data, { binary: isBinary });
  });
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
