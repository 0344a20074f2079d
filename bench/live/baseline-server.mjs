// The live-updates benchmark's baseline: a bare socket.io server (the same
// socket.io package the API uses, from node_modules) on node:http, with no
// NestJS, no database and no per-socket bookkeeping. It shows what socket.io
// itself costs to fan one event out to a room, so the API's figures read as
// "baseline + what the gateway, the realtime service and the database add".
//
//   subscribe { article, after? }  -> joins room `article:<article>`; ack
//       { articleId, seq, viewers, resync: false } (the API's ack shape)
//   publish { article, comment }   -> seq += 1 for that article, then
//       io.to(room).emit('comment.created', { seq, articleId, at, data: { comment } })
//       (the API's envelope); ack { seq }
//
// Env: PORT (0 = any), HOST (127.0.0.1). Server options as the API's
// RealtimeIoAdapter sets them (serveClient false, 64 KB message limit).
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
const heads = new Map();

io.on('connection', (socket) => {
  socket.on('subscribe', (body, ack) => {
    const room = `article:${body?.article}`;
    void socket.join(room);
    ack?.({
      articleId: body?.article,
      seq: heads.get(body?.article) ?? 0,
      viewers: io.sockets.adapter.rooms.get(room)?.size ?? 0,
      resync: false,
    });
  });
  socket.on('publish', (body, ack) => {
    const article = body?.article;
    const seq = (heads.get(article) ?? 0) + 1;
    heads.set(article, seq);
    io.to(`article:${article}`).emit('comment.created', {
      seq,
      articleId: body.comment?.articleId ?? article,
      at: new Date().toISOString(),
      data: { comment: body.comment },
    });
    ack?.({ seq });
  });
});

server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(JSON.stringify({ listening: port }));
});

const stop = () => io.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
