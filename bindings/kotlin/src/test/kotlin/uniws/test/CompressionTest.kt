package uniws.test

import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import uniws.Frame
import uniws.WebSocketDeflateExtension
import uniws.send

/** permessage-deflate through the Kotlin layer, against Python `websockets` (which compresses). */
class CompressionTest {
    private val quote = """{"type":"quote","symbol":"ACME","bid":101.25,"ask":101.5,"note":"é€😀"}"""

    @Test
    fun `compression is negotiated by default and messages round-trip`() = wsTest { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        val negotiated = session.extensions.single()
        assertTrue(negotiated.startsWith("permessage-deflate"), negotiated)
        assertEquals(listOf(negotiated), session.call.extensions)
        val large = quote.repeat(5_000)
        for (text in listOf(quote, quote, large, "")) {
            session.send(text)
            assertEquals(text, session.incoming.receive().text())
        }
        val bytes = ByteArray(300_000) { (it * 31 xor (it shr 7)).toByte() }
        session.send(Frame.Binary(bytes))
        assertTrue(bytes.contentEquals((session.incoming.receive() as Frame.Binary).data))
        session.close()
    }

    @Test
    fun `the deflate settings reach the offer`() = wsTest(configure = {
        extensions {
            install(WebSocketDeflateExtension) {
                serverNoContextTakeOver = true
                clientMaxWindowBits = 10
                compressIfBiggerThan(bytes = 16)
            }
        }
    }) { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        val negotiated = session.extensions.single()
        assertTrue("server_no_context_takeover" in negotiated, negotiated)
        assertTrue("client_max_window_bits=10" in negotiated, negotiated)
        session.send(quote.repeat(100))
        assertEquals(quote.repeat(100), session.incoming.receive().text())
        session.close()
    }

    @Test
    fun `compression can be turned off`() = wsTest(configure = {
        extensions { install(WebSocketDeflateExtension) { enabled = false } }
    }) { client ->
        val session = client.webSocketSession(Peers.python.url("/echo"))
        assertEquals(emptyList(), session.extensions)
        session.send(quote)
        assertEquals(quote, session.incoming.receive().text())
        session.close()
    }
}
