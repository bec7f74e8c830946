package uniws.test

import kotlin.test.assertEquals
import org.junit.jupiter.api.Test
import uniws.WebSocketClient
import uniws.send
import uniws.webSocket

/**
 * Run by Failsafe after `package`, with the built jar (not target/classes) on the classpath: the one
 * dependency carries the native library.
 */
class PackagedJarIT {
    @Test
    fun `the jar carries the native library and works`() {
        val resource = WebSocketClient::class.java.classLoader.getResource("linux-x86-64/libuniws.so")
        assertEquals("jar", resource?.protocol, "the library is a resource of the jar: $resource")
        wsTest { client ->
            client.webSocket(Peers.python.url("/echo")) {
                send("from the jar")
                assertEquals("from the jar", incoming.receive().text())
            }
        }
    }
}
