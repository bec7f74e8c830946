package uniws.bench

import io.ktor.client.HttpClient
import io.ktor.client.engine.cio.CIO
import io.ktor.client.plugins.websocket.DefaultClientWebSocketSession
import io.ktor.client.plugins.websocket.WebSockets
import io.ktor.client.plugins.websocket.webSocketSession
import io.ktor.websocket.CloseReason
import io.ktor.websocket.Frame
import io.ktor.websocket.close
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.channels.ClosedReceiveChannelException
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive

/** Ktor's HttpClient with the CIO engine and the WebSockets plugin (no extensions installed). */
class KtorContender(caPath: String?) : Contender {
    override val name: String = NAME

    private val client = HttpClient(CIO) {
        engine {
            // Each WebSocket holds its own connection for its lifetime: lift the pool limits
            // (1000 in all, 100 per route by default) above the idle-memory session count.
            maxConnectionsCount = 100_000
            endpoint.maxConnectionsPerRoute = 100_000
            requestTimeout = 0
            if (caPath != null) {
                val trust = Tls.trustManager(caPath)
                https { trustManager = trust }
            }
        }
        install(WebSockets) {
            maxFrameSize = Limits.MAX_FRAME_SIZE
            pingIntervalMillis = 0
        }
    }

    override suspend fun open(url: String): Connection = KtorConnection(client.webSocketSession(url))

    override fun close() = client.close()

    companion object {
        const val NAME: String = "ktor-cio"
    }
}

private class KtorConnection(private val session: DefaultClientWebSocketSession) : Connection {
    override suspend fun send(payload: ByteArray) = session.send(Frame.Binary(true, payload))

    override suspend fun receive(): Int {
        val frame = session.incoming.receive()
        check(frame is Frame.Binary && frame.fin) { "${KtorContender.NAME} received $frame, expected a whole binary message" }
        return frame.data.size
    }

    /**
     * Ktor's `close` only queues the close frame. Like the other contenders, also wait for the end
     * of the session: [DefaultClientWebSocketSession.incoming] ends once the peer's close frame (or
     * the end of the connection) has arrived.
     *
     * Now and then (after heavy traffic, about once in 10 to 30 sessions here) `incoming` never ends
     * although the connection has closed, and the session's job never completes either. So wait
     * at most [CLOSE_WAIT], then leave the session behind and say so on stderr. (Cancelling it
     * instead was followed by corrupted buffers in later Ktor TLS handshakes.) The closing is not
     * timed by any workload, so this only costs wall-clock time.
     */
    override suspend fun close() {
        session.close(CloseReason(CloseReason.Codes.NORMAL, ""))
        val ended = withTimeoutOrNull(CLOSE_WAIT) {
            try {
                val frame = session.incoming.receive()
                throw IllegalStateException("${KtorContender.NAME} received $frame while closing")
            } catch (_: ClosedReceiveChannelException) {
                // Ended normally.
            } catch (cancelled: CancellationException) {
                // Ktor may end `incoming` by cancelling it; only this coroutine's own cancellation
                // (or the timeout) propagates.
                currentCoroutineContext().ensureActive()
            }
        }
        if (ended == null) {
            stuckCloses += 1
            log("${KtorContender.NAME}: incoming did not end within $CLOSE_WAIT of close() ($stuckCloses so far); leaving it")
        }
    }

    companion object {
        private val CLOSE_WAIT = 2.seconds

        /** How many sessions did not end after close(), in this run. */
        @Volatile
        var stuckCloses: Int = 0
    }
}
