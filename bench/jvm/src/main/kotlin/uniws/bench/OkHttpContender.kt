package uniws.bench

import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.LockSupport
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.channels.Channel
import okhttp3.Dispatcher
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.Response
import okhttp3.WebSocket
import okhttp3.WebSocketListener
import okio.ByteString
import okio.ByteString.Companion.toByteString

/** OkHttp's WebSocket, its listener feeding a channel. No ping interval (OkHttp's default). */
class OkHttpContender(caPath: String?) : Contender {
    override val name: String = NAME

    private val client: OkHttpClient = OkHttpClient.Builder().apply {
        // A WebSocket's reader runs on a dispatcher thread for its lifetime and counts against
        // maxRequests (64 by default): lift it above the idle-memory session count.
        dispatcher(Dispatcher().apply { maxRequests = 100_000 })
        pingInterval(0, TimeUnit.MILLISECONDS)
        socketFactory(NoDelaySocketFactory())
        if (caPath != null) {
            val trust = Tls.trustManager(caPath)
            sslSocketFactory(Tls.sslContext(trust).socketFactory, trust)
        }
    }.build()

    override suspend fun open(url: String): Connection {
        val listener = Listener()
        val socket = client.newWebSocket(Request.Builder().url(url).build(), listener)
        listener.opened.await()
        return OkHttpConnection(socket, listener)
    }

    override fun close() {
        client.dispatcher.executorService.shutdown()
        client.connectionPool.evictAll()
    }

    companion object {
        const val NAME: String = "okhttp"

        /** OkHttp fails a WebSocket whose outgoing queue would exceed 16 MiB (RealWebSocket.MAX_QUEUE_SIZE). */
        const val MAX_QUEUE_SIZE: Long = 16L shl 20
    }
}

private class Listener : WebSocketListener() {
    val opened = CompletableDeferred<Unit>()
    val closed = CompletableDeferred<Unit>()

    /** The sizes of the binary messages received, in order. */
    val messages = Channel<Int>(Channel.UNLIMITED)

    override fun onOpen(webSocket: WebSocket, response: Response) {
        opened.complete(Unit)
    }

    override fun onMessage(webSocket: WebSocket, bytes: ByteString) {
        messages.trySend(bytes.size)
    }

    override fun onMessage(webSocket: WebSocket, text: String) {
        messages.close(IllegalStateException("${OkHttpContender.NAME} received a text message"))
    }

    override fun onClosed(webSocket: WebSocket, code: Int, reason: String) {
        messages.close()
        closed.complete(Unit)
    }

    override fun onFailure(webSocket: WebSocket, t: Throwable, response: Response?) {
        val failure = IllegalStateException("${OkHttpContender.NAME} WebSocket failed: $t", t)
        opened.completeExceptionally(failure)
        messages.close(failure)
        closed.completeExceptionally(failure)
    }
}

private class OkHttpConnection(private val socket: WebSocket, private val listener: Listener) : Connection {
    /**
     * OkHttp's `send` never waits: it queues, and fails the WebSocket once more than 16 MiB are
     * queued. Wait here instead, as an application must (a window of 32 MiB messages would overflow).
     */
    override suspend fun send(payload: ByteArray) {
        while (socket.queueSize() > 0 && socket.queueSize() + payload.size > OkHttpContender.MAX_QUEUE_SIZE) {
            LockSupport.parkNanos(20_000)
        }
        check(socket.send(payload.toByteString())) { "${OkHttpContender.NAME} refused to send (closing or queue full)" }
    }

    override suspend fun receive(): Int = listener.messages.receive()

    /** Sends the close frame and waits for the peer's and the end of the connection (`onClosed`). */
    override suspend fun close() {
        check(socket.close(1000, null)) { "${OkHttpContender.NAME} was already closing" }
        listener.closed.await()
    }
}
