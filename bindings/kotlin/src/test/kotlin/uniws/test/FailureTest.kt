package uniws.test

import java.net.InetAddress
import java.net.ServerSocket
import java.util.concurrent.TimeUnit
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import uniws.CloseReason
import uniws.DefaultClientWebSocketSession
import uniws.HttpHeaders
import uniws.HttpMethod
import uniws.TlsVersion
import uniws.WebSocketException
import uniws.send
import uniws.webSocket

/** Opening failures and a session failed by a size limit, each with its typed exception. */
class FailureTest {
    @Test
    fun `a frame over maxFrameSize fails receive with FrameTooBig and closes with 1009`() =
        wsTest(configure = { maxFrameSize = 10 }) { client ->
            lateinit var session: DefaultClientWebSocketSession
            assertFailsWith<WebSocketException.FrameTooBig> {
                client.webSocket(Peers.python.url("/echo")) {
                    session = this
                    send("abc")
                    assertEquals("abc", incoming.receive().text())
                    send("def".repeat(500))
                    incoming.receive()
                }
            }
            assertEquals(CloseReason.Codes.TOO_BIG, session.closeReason.await()?.knownReason)
            // The channel stays failed with the same cause.
            assertFailsWith<WebSocketException.FrameTooBig> { session.incoming.receive() }
        }

    @Test
    fun `a rejected handshake carries the status`() = wsTest { client ->
        RawServer { socket, _ -> reject(socket, "403 Forbidden", "forbidden") }.use { server ->
            val error = assertFailsWith<WebSocketException.HandshakeRejected> {
                client.webSocketSession(server.url("/reject"))
            }
            assertEquals(403, error.status)
            assertContains(error.detail, "forbidden")
            assertContains(error.message!!, "403")
        }
    }

    @Test
    fun `a server that requires a subprotocol accepts only a request offering it`() = wsTest { client ->
        val server = RawServer { socket, head ->
            val offered = head["Sec-WebSocket-Protocol"].orEmpty().split(",").map { it.trim() }
            if ("chat.v1" !in offered) {
                reject(socket, "400 Bad Request", "subprotocol chat.v1 required")
            } else {
                accept(socket, head, "Sec-WebSocket-Protocol: chat.v1")
                sendText(socket, "welcome to chat.v1")
                answerClose(socket)
            }
        }
        server.use {
            val refused = assertFailsWith<WebSocketException.HandshakeRejected> {
                client.webSocket(server.url("/chat")) { send("never") }
            }
            assertEquals(400, refused.status)

            client.webSocket(server.url("/chat"), request = { subprotocol("chat.v1") }) {
                assertEquals("chat.v1", call.response.headers["Sec-WebSocket-Protocol"])
                assertEquals("chat.v1", call.subprotocol)
                assertEquals("welcome to chat.v1", incoming.receive().text())
            }
            assertEquals("closed 1000", server.events.poll(5, TimeUnit.SECONDS))

            // Ktor's way: the header offers the subprotocol.
            client.webSocket(server.url("/chat"), request = { header(HttpHeaders.SecWebSocketProtocol, "chat.v1") }) {
                assertEquals("chat.v1", call.subprotocol)
                assertEquals("welcome to chat.v1", incoming.receive().text())
            }
            assertEquals("closed 1000", server.events.poll(5, TimeUnit.SECONDS))
        }
    }

    @Test
    fun `a refused connection is ConnectFailed`() = wsTest { client ->
        val port = ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { it.localPort }
        val error = assertFailsWith<WebSocketException.ConnectFailed> {
            client.webSocketSession("ws://127.0.0.1:$port/")
        }
        assertTrue(error.detail.isNotEmpty())
        assertFailsWith<WebSocketException.ConnectFailed> { client.webSocketSession("ws://127.0.0.1:1/") }
    }

    @Test
    fun `bad requests fail before any I-O`() = wsTest { client ->
        assertFailsWith<WebSocketException.InvalidRequest> {
            client.webSocketSession(method = HttpMethod.Post, host = "127.0.0.1", port = 1, path = "/")
        }
        assertFailsWith<WebSocketException.InvalidUrl> { client.webSocketSession("ftp://127.0.0.1/") }
        assertFailsWith<WebSocketException.InvalidRequest> {
            client.webSocketSession("ws://127.0.0.1:1/") { header("Sec-WebSocket-Key", "mine") }
        }
        assertFailsWith<IllegalArgumentException> { client.webSocketSession(host = "127.0.0.1", port = 70_000) }
    }

    @Test
    fun `an oversized ping is refused at the call and the session stays usable`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        assertFailsWith<WebSocketException.InvalidRequest> { session.send(uniws.Frame.Ping(ByteArray(126))) }
        session.send(uniws.Frame.Ping(ByteArray(125)))
        session.send("after the ping")
        assertEquals("after the ping", session.incoming.receive().text())
        session.close()
    }

    @Test
    fun `TLS settings reach the core - a malformed certificate pin fails every wss open with Tls`() =
        wsTest(configure = {
            certificatePin("**.example.com", "sha1/AAAA")
            minTlsVersion = TlsVersion.TLS_1_3
        }) { client ->
            val error = assertFailsWith<WebSocketException.Tls> { client.webSocketSession("wss://127.0.0.1:1/") }
            assertContains(error.detail, "sha1/AAAA")
        }
}
