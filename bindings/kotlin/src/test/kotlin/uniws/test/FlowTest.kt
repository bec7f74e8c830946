package uniws.test

import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Test
import uniws.CloseReason
import uniws.DefaultClientWebSocketSession
import uniws.send
import uniws.webSocket

/** Bounded queues under load, and coroutine cancellation that consumes nothing. */
class FlowTest {
    @Test
    fun `1000 sends without reading neither fail nor lose data`() = wsTest(
        configure = {
            incomingQueueSize = 4
            outgoingQueueSize = 4
        },
    ) { client ->
        client.webSocket(Peers.python.url("/echo")) {
            repeat(1000) { send("test $it") }
            repeat(1000) { assertEquals("test $it", incoming.receive().text()) }
        }
    }

    @Test
    fun `leaving webSocket with 1000 messages unread still closes with a handshake`() =
        wsTest(configure = { closeTimeout = 60.seconds }) { client ->
            for (peer in Peers.all) {
                lateinit var session: DefaultClientWebSocketSession
                client.webSocket(peer.url("/echo")) {
                    session = this
                    repeat(1000) { send("test") }
                }
                // The peer's close frame was read behind the unread echoes (a close timeout reports 1006).
                assertEquals(CloseReason(1000, ""), session.closeReason.await())
            }
        }

    @Test
    fun `cancelling a waiting receive does not lose the next message`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        val waiting = launch(start = CoroutineStart.UNDISPATCHED) { session.incoming.receive() }
        waiting.cancelAndJoin()
        assertTrue(waiting.isCancelled)
        session.send("next")
        assertEquals("next", session.incoming.receive().text())

        repeat(20) { round ->
            assertNull(withTimeoutOrNull(5.milliseconds) { session.incoming.receive() })
            session.send("message $round")
            assertEquals("message $round", session.incoming.receive().text())
        }
        session.close()
    }

    @Test
    fun `cancelling an opening abandons the connection`() = wsTest { client ->
        RawServer { socket, _ -> drain(socket) }.use { server ->
            assertFailsWith<TimeoutCancellationException> {
                withTimeout(300.milliseconds) { client.webSocketSession(server.url("/hang")) }
            }
            // The core dropped the half-open connection: the server sees the end of the stream.
            assertEquals("eof", server.events.poll(5, TimeUnit.SECONDS))
        }
    }
}
