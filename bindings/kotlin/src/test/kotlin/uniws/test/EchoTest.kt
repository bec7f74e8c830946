package uniws.test

import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.serialization.json.Json
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import uniws.Frame
import uniws.HttpMethod
import uniws.readBytes
import uniws.readText
import uniws.send
import uniws.webSocket

/** Ktor's echo tests (session, parallel sessions, empty and large frames, headers, subprotocol) against each real peer. */
class EchoTest {
    companion object {
        @JvmStatic
        fun peers(): List<PeerProcess> = Peers.all
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `a session echoes text and binary messages`(peer: PeerProcess) = wsTest { client ->
        val session = client.webSocketSession(peer.url("/echo"))
        session.send("test")
        assertEquals("test", (session.incoming.receive() as Frame.Text).readText())
        session.send(Frame.Binary(byteArrayOf(1, 2, 3)))
        val binary = assertIs<Frame.Binary>(session.incoming.receive())
        assertContentEquals(byteArrayOf(1, 2, 3), binary.readBytes())
        session.outgoing.send(Frame.Text("through outgoing"))
        assertEquals("through outgoing", session.incoming.receive().text())
        session.close()
        assertEquals(1000, session.closeReason.await()?.code?.toInt())
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `two parallel sessions echo 100 messages each`(peer: PeerProcess) = wsTest { client ->
        coroutineScope {
            for (id in 1..2) {
                launch {
                    val session = client.webSocketSession(peer.url("/echo"))
                    repeat(100) {
                        session.send("test $id $it")
                        assertEquals("test $id $it", session.incoming.receive().text())
                    }
                    session.close()
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `an empty text frame round-trips`(peer: PeerProcess) = wsTest { client ->
        client.webSocket(peer.url("/echo")) {
            send(Frame.Text(""))
            val actual = incoming.receive()
            assertTrue(actual is Frame.Text)
            assertEquals("", actual.readText())
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `a 24000-char message arrives as one frame`(peer: PeerProcess) = wsTest { client ->
        val payload = buildString { repeat(24_000) { append('a' + it % 26) } }
        client.webSocket(peer.url("/echo")) {
            send(payload)
            val frame = incoming.receive()
            assertIs<Frame.Text>(frame)
            assertEquals(24_000, frame.readText().length)
            assertEquals(payload, frame.readText())
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `the server sees the request headers, in order`(peer: PeerProcess) = wsTest(
        configure = {
            header("X-Default", "from-config")
            userAgent = "uniws-kotlin-test/1"
        },
    ) { client ->
        client.webSocket(peer.url("/headers"), request = {
            header("Authorization", "Bearer token")
            header("X-Multi", "one")
            header("X-Multi", "two")
        }) {
            val pairs = Json.decodeFromString<List<List<String>>>(incoming.receive().text())
            fun values(name: String) = pairs.filter { it[0].equals(name, ignoreCase = true) }.map { it[1] }
            assertEquals(listOf("Bearer token"), values("Authorization"))
            assertEquals(listOf("one", "two"), values("X-Multi"))
            assertEquals(listOf("from-config"), values("X-Default"))
            assertEquals(listOf("uniws-kotlin-test/1"), values("User-Agent"))
            assertEquals(listOf("websocket"), values("Upgrade").map { it.lowercase() })
            assertEquals(listOf("upgrade"), values("Connection").map { it.lowercase() })
            assertEquals(listOf("13"), values("Sec-WebSocket-Version"))
            val key = values("Sec-WebSocket-Key").single()
            assertTrue(key.isNotEmpty())
            assertEquals(key, call.request.headers["sec-websocket-key"])
            val names = pairs.map { it[0].lowercase() }
            assertTrue(names.indexOf("x-default") < names.indexOf("authorization"), "config headers come first: $names")

            send("still echoing")
            assertEquals("still echoing", incoming.receive().text())
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `the chosen subprotocol is in the response header`(peer: PeerProcess) = wsTest { client ->
        val session = client.webSocketSession(peer.url("/echo")) { subprotocol("other.v2", "chat.v1") }
        try {
            assertEquals("chat.v1", session.call.response.headers["Sec-WebSocket-Protocol"])
            assertEquals("chat.v1", session.call.subprotocol)
            session.send("test")
            assertEquals("test", session.incoming.receive().text())
        } finally {
            session.close()
        }
        val plain = client.webSocketSession(peer.url("/echo")) { subprotocol("other.v2") }
        assertNull(plain.call.subprotocol)
        assertNull(plain.call.response.headers["Sec-WebSocket-Protocol"])
        plain.close()
    }

    @ParameterizedTest
    @MethodSource("peers")
    fun `the call describes the upgrade`(peer: PeerProcess) = wsTest { client ->
        val session = client.webSocketSession(method = HttpMethod.GET, host = "127.0.0.1", port = peer.port, path = "/echo?x=1")
        val call = session.call
        assertEquals("127.0.0.1", call.request.url.host)
        assertEquals(peer.port, call.request.url.port)
        assertEquals("/echo", call.request.url.path)
        assertEquals("x=1", call.request.url.query)
        assertEquals(HttpMethod.GET, call.request.method)
        assertEquals(101, call.response.status)
        assertEquals("websocket", call.response.headers["upgrade"]?.lowercase())
        assertNotNull(call.response.headers["Sec-WebSocket-Accept"])
        assertEquals("HTTP/1.1", call.httpVersion)
        // Compression is offered: Python `websockets` accepts it, Node `ws` (by default) declines.
        val expected = if (peer == Peers.python) listOf(call.response.headers["Sec-WebSocket-Extensions"]) else emptyList()
        assertEquals(expected, session.extensions)
        session.close()
    }
}
