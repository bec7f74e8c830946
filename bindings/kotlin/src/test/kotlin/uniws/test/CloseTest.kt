package uniws.test

import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlinx.coroutines.Job
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.ClosedReceiveChannelException
import kotlinx.coroutines.channels.ClosedSendChannelException
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import uniws.CloseReason
import uniws.Frame
import uniws.WebSocketException
import uniws.send

/** Closing from either side, the client scope, and freeing the core's session object. */
class CloseTest {
    companion object {
        @JvmStatic
        fun peers(): List<PeerProcess> = Peers.all
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `a server-initiated close carries its code and reason`(peer: PeerProcess) = wsTest { client ->
        val session = client.webSocketSession(peer.url("/close?code=4001&reason=bye"))
        val received = mutableListOf<Frame>()
        for (frame in session.incoming) received += frame // ends normally with the close
        assertEquals(emptyList(), received)
        assertEquals(CloseReason(4001, "bye"), session.closeReason.await())
        val refused = assertFailsWith<WebSocketException.Closed> { session.send("too late") }
        assertEquals(CloseReason(4001, "bye"), refused.reason)
        val refusedToo = assertFailsWith<WebSocketException.Closed> { session.outgoing.send(Frame.Text("too late")) }
        assertEquals(CloseReason(4001, "bye"), refusedToo.reason)
        assertFailsWith<ClosedReceiveChannelException> { session.incoming.receive() }
        session.close() // on an ended session it only waits
    }

    @Test
    fun `close sends NORMAL by default and a chosen reason otherwise`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        session.close()
        assertEquals(CloseReason(CloseReason.Codes.NORMAL, ""), session.closeReason.await())
        assertEquals(CloseReason.Codes.NORMAL, session.closeReason.await()?.knownReason)

        val other = client.webSocketSession(Peers.python.url("/echo"))
        other.close(CloseReason(CloseReason.Codes.GOING_AWAY, "leaving"))
        assertEquals(CloseReason(1001, "leaving"), other.closeReason.await())
    }

    @Test
    fun `close refuses a code that may not be sent`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        assertFailsWith<WebSocketException.InvalidRequest> {
            session.close(CloseReason(CloseReason.Codes.CLOSED_ABNORMALLY, ""))
        }
        session.send("still open")
        assertEquals("still open", session.incoming.receive().text())
        session.close()
    }

    @Test
    fun `closing outgoing closes the session after the frames sent`() = wsTest { client ->
        RawServer { socket, head ->
            accept(socket, head)
            answerClose(socket)
        }.use { server ->
            val session = client.webSocketSession(server.url("/"))
            session.outgoing.send(Frame.Text("one"))
            session.outgoing.send(Frame.Text("two"))
            session.outgoing.close()
            assertEquals(CloseReason(1000, ""), session.closeReason.await())
            val seen = List(3) { server.events.poll(5, TimeUnit.SECONDS) }
            assertEquals(listOf("text one", "text two", "closed 1000"), seen)
            assertFailsWith<WebSocketException.Closed> { session.send("after") }
            assertFailsWith<ClosedSendChannelException> { session.outgoing.send(Frame.Text("after")) }
        }
    }

    @Test
    fun `cancelling the client scope completes closeReason`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        session.send("test")
        assertEquals("test", session.incoming.receive().text())

        client.coroutineContext[Job]!!.cancel("test", IllegalStateException("test"))
        val reason = assertNotNull(session.closeReason.await())
        assertEquals(CloseReason.Codes.GOING_AWAY, reason.knownReason)
        assertFalse(session.isActive)
        assertFailsWith<IllegalStateException> { client.webSocketSession(Peers.python.url("/echo")) }
    }

    @Test
    fun `closing the client closes every open session`() = wsTest { client ->
        val first = client.webSocketSession(Peers.python.url("/echo"))
        val second = client.webSocketSession(Peers.node.url("/echo"))
        client.close()
        assertEquals(1001, first.closeReason.await()?.code?.toInt())
        assertEquals(1001, second.closeReason.await()?.code?.toInt())
        assertFailsWith<ClosedReceiveChannelException> { first.incoming.receive() }
    }

    @Test
    fun `the core's session object is freed once the session has ended and its messages are in incoming`() = wsTest { client ->
        val server = RawServer { socket, head ->
            accept(socket, head)
            sendText(socket, "unread")
            sendClose(socket, 4002)
            answerClose(socket)
        }
        server.use {
            val session = client.webSocketSession(server.url("/"))
            assertEquals(CloseReason(4002, ""), session.closeReason.await())
            // The unread message moved into `incoming` (which holds a few), so the core's object goes.
            while (!session.isReleased) delay(10.milliseconds)
            assertEquals("unread", session.incoming.receive().text())
            assertFailsWith<ClosedReceiveChannelException> { session.incoming.receive() }
            // Everything still answers from what was known at the end.
            assertEquals(CloseReason(4002, ""), session.closeReason.await())
            assertEquals(16L * 1024 * 1024, session.maxFrameSize)
            session.maxFrameSize = 1 // ignored: the session has ended
            assertEquals(16L * 1024 * 1024, session.maxFrameSize)
            assertFailsWith<WebSocketException.Closed> { session.send("after release") }
            session.close()
            assertEquals(101, session.call.response.status)
        }
    }
}
