package uniws.test

import kotlin.test.assertContains
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import uniws.*

/**
 * The Kotlin contract of the issue, as written (only the hosts point at the local peers), plus
 * delegation and the small value types.
 */
class ContractTest {
    private val echo = Peers.python.url("/echo")
    private val port = Peers.python.port

    @Test
    fun `the contract compiles and behaves as written`() = runBlocking {
        withTimeout(30.seconds) {
            val printed = mutableListOf<Any?>()
            fun println(value: Any?) {
                printed += value
            }

            val client = WebSocketClient()                                  // default config
            val tuned = WebSocketClient { pingInterval = 30.seconds; maxFrameSize = 1024 * 1024 }
            val session = client.webSocketSession(echo)                     // suspend
            val s2 = client.webSocketSession {
                url(echo.replace("ws://", "http://"))
                header("Authorization", "Bearer token")
            }
            val s3 = client.webSocketSession(method = HttpMethod.GET, host = "127.0.0.1", port = port, path = "/echo")
            session.send("Hello!")
            session.send(Frame.Binary(byteArrayOf(1, 2, 3)))
            when (val frame = session.incoming.receive()) {                 // incoming: ReceiveChannel<Frame>
                is Frame.Text -> println(frame.readText())
                is Frame.Binary -> println(frame.readBytes().size)
                else -> {}
            }
            when (val frame = session.incoming.receive()) {
                is Frame.Text -> println(frame.readText())
                is Frame.Binary -> println(frame.readBytes().size)
                else -> {}
            }
            session.close()                                                 // CloseReason(NORMAL)
            client.webSocket(echo) {                                        // receiver is the session; auto-close
                println(call.request.url.host)                              // java.net.URI
                println(call.response.status)                               // 101
                println(call.response.headers["Upgrade"])
                send("Message")
                for (frame in incoming) { if (frame is Frame.Text) break }
            }
            val reason: CloseReason? = session.closeReason.await()          // Deferred, like Ktor
            try { client.webSocketSession("ws://127.0.0.1:1/") }
            catch (e: WebSocketException) { println(e.message) }            // sealed: ConnectFailed, HandshakeRejected, ...

            assertEquals(listOf<Any?>("Hello!", 3, "127.0.0.1", 101, "websocket"), printed.take(5))
            assertContains(printed[5] as String, "connect failed")
            assertEquals(CloseReason(CloseReason.Codes.NORMAL, ""), reason)
            assertEquals("ws", s2.call.request.url.scheme)
            assertEquals("Bearer token", s2.call.request.headers["authorization"])
            assertEquals("/echo", s3.call.request.url.path)
            for (open in listOf(s2, s3)) open.close()
            client.close()
            tuned.close()
        }
    }

    /** A session of the application's own, built by delegation as in Ktor. */
    class Custom(private val delegate: DefaultClientWebSocketSession) : ClientWebSocketSession by delegate {
        val sent = mutableListOf<Frame>()

        override suspend fun send(frame: Frame) {
            sent += frame
            delegate.send(frame)
        }
    }

    @Test
    fun `a session can be implemented by delegation`() = wsTest { client ->
        val custom = Custom(client.webSocketSession(echo))
        custom.send("through the custom session")
        assertEquals("through the custom session", custom.incoming.receive().text())
        assertEquals(listOf<Frame>(Frame.Text("through the custom session")), custom.sent)
        sendSerializedThrough(custom)
        custom.close()
        assertEquals(1000, custom.closeReason.await()?.code?.toInt())
    }

    private suspend fun sendSerializedThrough(session: ClientWebSocketSession) {
        session.sendSerialized(mapOf("key" to 1))
        assertEquals(mapOf("key" to 1), session.receiveDeserialized<Map<String, Int>>())
    }

    @Test
    fun `frames and close reasons read like Ktor's`() {
        assertEquals("text", Frame.Text("text").readText())
        assertContentEquals("text".encodeToByteArray(), Frame.Text("text").readBytes())
        val data = byteArrayOf(4, 5)
        val binary = Frame.Binary(data)
        assertContentEquals(data, binary.readBytes())
        assertTrue(binary.readBytes() !== data, "readBytes returns a copy")
        assertEquals(Frame.Binary(byteArrayOf(4, 5)), binary)
        assertEquals(FrameType.PING, Frame.Ping(ByteArray(0)).frameType)
        assertTrue(FrameType.CLOSE.controlFrame)

        val close = Frame.Close(CloseReason(CloseReason.Codes.GOING_AWAY, "bye"))
        assertEquals(CloseReason(1001, "bye"), close.readReason())
        assertContentEquals(byteArrayOf(0x03, 0xE9.toByte()) + "bye".encodeToByteArray(), close.readBytes())
        assertNull(Frame.Close().readReason())

        val expected = mapOf(
            CloseReason.Codes.NORMAL to 1000, CloseReason.Codes.GOING_AWAY to 1001,
            CloseReason.Codes.PROTOCOL_ERROR to 1002, CloseReason.Codes.CANNOT_ACCEPT to 1003,
            CloseReason.Codes.NO_STATUS to 1005, CloseReason.Codes.CLOSED_ABNORMALLY to 1006,
            CloseReason.Codes.NOT_CONSISTENT to 1007, CloseReason.Codes.VIOLATED_POLICY to 1008,
            CloseReason.Codes.TOO_BIG to 1009, CloseReason.Codes.NO_EXTENSION to 1010,
            CloseReason.Codes.INTERNAL_ERROR to 1011, CloseReason.Codes.SERVICE_RESTART to 1012,
            CloseReason.Codes.TRY_AGAIN_LATER to 1013,
        )
        assertEquals(CloseReason.Codes.entries.toSet(), expected.keys)
        for ((code, value) in expected) {
            assertEquals(value.toShort(), code.code)
            assertEquals(code, CloseReason.Codes.byCode(value.toShort()))
        }
        assertNull(CloseReason.Codes.byCode(4000))
        assertEquals(CloseReason.Codes.TOO_BIG, CloseReason(1009, "").knownReason)
        assertEquals("CloseReason(reason=NORMAL, message=)", CloseReason(1000, "").toString())
    }
}
