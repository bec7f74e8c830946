package uniws.test

import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Test
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
        // Ktor's overflow test: leaving the block with everything unread still closes cleanly.
        client.webSocket(Peers.node.url("/echo")) {
            repeat(1000) { send("test") }
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
