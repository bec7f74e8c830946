package uniws.test

import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.random.Random
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.selects.onTimeout
import kotlinx.coroutines.selects.select
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

    /** Streams [total] echoes while [receiveOne] is called until all arrived; returns them and how many calls came back empty. */
    private suspend fun CoroutineScope.streamThrough(
        session: DefaultClientWebSocketSession,
        total: Int,
        receiveOne: suspend () -> String?,
    ): Pair<List<String>, Int> {
        val sender = launch {
            repeat(total) {
                session.send("m$it")
                if (it % 25 == 0) delay(2.milliseconds) // let the receiver wait, and be cancelled, now and then
            }
        }
        val received = mutableListOf<String>()
        var empty = 0
        while (received.size < total) {
            val text = receiveOne()
            if (text == null) empty++ else received += text
            check(empty < 20 * total) { "stalled after ${received.size} messages (missing the next one)" }
        }
        sender.join()
        return received to empty
    }

    @Test
    fun `receives cancelled at any moment lose nothing and keep the order`() = wsTest(limit = 60.seconds) { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        val (received, cancelled) = streamThrough(session, 2000) {
            var text: String? = null
            val attempt = launch(start = CoroutineStart.UNDISPATCHED) { text = session.incoming.receive().text() }
            delay(Random.nextLong(0, 2).milliseconds)
            attempt.cancelAndJoin()
            text
        }
        assertEquals(List(2000) { "m$it" }, received)
        assertTrue(cancelled > 0, "no receive was cancelled")
        session.close()
    }

    @Test
    fun `a message handed to a receive that is cancelled before it resumes comes back ahead of newer ones`() =
        wsTest { client ->
            val session = client.webSocketSession(Peers.python.url("/echo"))
            val executor = Executors.newSingleThreadExecutor()
            try {
                val receiving = launch(executor.asCoroutineDispatcher()) { session.incoming.receive() }
                // Once this task runs, `receiving` waits in `receive`; while it blocks, that receive cannot resume.
                val blocked = CountDownLatch(1)
                val release = CountDownLatch(1)
                executor.execute {
                    blocked.countDown()
                    release.await()
                }
                assertTrue(blocked.await(5, TimeUnit.SECONDS))
                session.send("m0") // handed to the waiting receive
                session.send("m1") // into incoming's buffer, behind it
                while (session.incoming.isEmpty) delay(1.milliseconds)
                receiving.cancel()
                release.countDown()
                receiving.join()
                assertTrue(receiving.isCancelled)
                session.send("m2")
                assertEquals(listOf("m0", "m1", "m2"), List(3) { session.incoming.receive().text() })
            } finally {
                executor.shutdownNow()
            }
            session.close()
        }

    @OptIn(ExperimentalCoroutinesApi::class)
    @Test
    fun `timed receives with select lose nothing and keep the order`() = wsTest(limit = 60.seconds) { client ->
        val session = client.webSocketSession(Peers.node.url("/echo"))
        val (received, timedOut) = streamThrough(session, 2000) {
            select {
                session.incoming.onReceive { it.text() }
                onTimeout(1.milliseconds) { null }
            }
        }
        assertEquals(List(2000) { "m$it" }, received)
        assertTrue(timedOut > 0, "no receive timed out")
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
