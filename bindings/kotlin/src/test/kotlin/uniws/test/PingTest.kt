package uniws.test

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import uniws.CloseReason
import uniws.send
import uniws.webSocket

/** Keep-alive: server pings are answered by the session; a silent server is found by the pinger. */
class PingTest {
    companion object {
        @JvmStatic
        fun peers(): List<PeerProcess> = Peers.all
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `a server ping is answered automatically and never delivered`(peer: PeerProcess) = wsTest { client ->
        client.webSocket(peer.url("/ping")) {
            // The peer sends `pong` only once it has received the answer to its ping.
            assertEquals("pong", incoming.receive().text())
            send("after")
            assertEquals("after", incoming.receive().text())
        }
    }

    @Test
    fun `a silent server fails the session with PingTimeout and 1011`() = wsTest(
        limit = 10.seconds,
        configure = {
            pingInterval = 200.milliseconds
            timeout = 300.milliseconds
            closeTimeout = 500.milliseconds
        },
    ) { client ->
        RawServer { socket, head ->
            accept(socket, head)
            drain(socket) // reads the pings and never answers
        }.use { server ->
            val session = client.webSocketSession(server.url("/silent"))
            assertEquals(200.milliseconds, session.pingInterval)
            assertEquals(300.milliseconds, session.timeout)
            assertFailsWith<uniws.WebSocketException.PingTimeout> { session.incoming.receive() }
            assertEquals(CloseReason.Codes.INTERNAL_ERROR, session.closeReason.await()?.knownReason)
        }
    }

    @Test
    fun `the ping interval can be turned on for an open session`() = wsTest(limit = 10.seconds) { client ->
        RawServer { socket, head ->
            accept(socket, head)
            drain(socket)
        }.use { server ->
            val session = client.webSocketSession(server.url("/silent"))
            assertEquals(null, session.pingInterval)
            session.timeout = 300.milliseconds
            session.pingInterval = 200.milliseconds
            assertFailsWith<uniws.WebSocketException.PingTimeout> { session.incoming.receive() }
        }
    }
}
