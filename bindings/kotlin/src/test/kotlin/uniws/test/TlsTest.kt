package uniws.test

import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Test
import uniws.WebSocketException
import uniws.send
import uniws.webSocket

/** Certificate pinning through the Kotlin layer, against a real wss:// server with a CA of its own. */
class TlsTest {
    private val url = "wss://127.0.0.1:${Peers.tls.port}/"

    private val details = Json.parseToJsonElement(Peers.root.resolve("target/tls-peer/details.json").readText()).jsonObject
    private val ca = details.getValue("ca_pem").jsonPrimitive.content
    private val serverPin = details.getValue("pin").jsonPrimitive.content
    private val caPin = details.getValue("ca_pin").jsonPrimitive.content

    @Test
    fun `a pinned server key is accepted`() = wsTest(configure = {
        useSystemTrustStore = false
        trustRootCertificates(ca)
        certificatePin("127.0.0.1", serverPin)
    }) { client ->
        client.webSocket(url) {
            send("pinned")
            assertEquals("pinned", incoming.receive().text())
        }
    }

    @Test
    fun `a pin mismatch fails with Tls naming the pins presented`() = wsTest(configure = {
        useSystemTrustStore = false
        trustRootCertificates(ca)
        // The CA's key, which the server does not present.
        certificatePin("127.0.0.1", caPin)
    }) { client ->
        val error = assertFailsWith<WebSocketException.Tls> { client.webSocketSession(url) }
        assertContains(error.detail, serverPin)
        assertContains(error.detail, caPin)
    }
}
