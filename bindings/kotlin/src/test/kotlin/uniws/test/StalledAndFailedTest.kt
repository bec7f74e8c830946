package uniws.test

import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import uniws.CloseReason
import uniws.DefaultClientWebSocketSession
import uniws.Frame
import uniws.WebSocketException
import uniws.webSocket

/**
 * The reliability guarantees through the Kotlin layer, written the way application code is: it
 * lets a session go as soon as an error arrives. The server's view is the one checked.
 */
class StalledAndFailedTest {
    /** Sends 1 MiB messages to a peer that does not read until the session refuses them (it ended). */
    private fun CoroutineScope.sendUntilRefused(session: DefaultClientWebSocketSession): Job = launch {
        val payload = ByteArray(1 shl 20)
        try {
            while (true) session.send(Frame.Binary(payload))
        } catch (refused: WebSocketException) {
            // The session closed or failed.
        }
    }

    /** A text frame with the reserved bit RSV1 set, which no extension was agreed for. */
    private val reservedBitFrame = byteArrayOf(0xc1.toByte(), 4) + "rsv1".toByteArray()

    @Test
    fun `the failure code is on the wire when the application leaves after the error`() = wsTest { client ->
        RawServer { socket, head ->
            accept(socket, head)
            sendText(socket, "before")
            sendRaw(socket, reservedBitFrame)
            answerClose(socket)
        }.use { server ->
            repeat(10) { round ->
                val received = mutableListOf<String>()
                assertFailsWith<WebSocketException.ProtocolViolation> {
                    client.webSocket(server.url("/")) {
                        for (frame in incoming) received += frame.text()
                    }
                }
                assertEquals(listOf("before"), received)
                assertEquals("closed 1002", server.events.poll(10, TimeUnit.SECONDS), "round $round")
            }
        }
    }

    @Test
    fun `close returns within the close timeout when the peer never reads`() =
        wsTest(configure = { closeTimeout = 1.seconds }) { client ->
            RawServer { socket, head ->
                accept(socket, head)
                Thread.sleep(30_000)
            }.use { server ->
                val session = client.webSocketSession(server.url("/"))
                val sending = sendUntilRefused(session)
                // Long enough for both socket buffers and the outgoing queue to fill.
                delay(1500.milliseconds)
                val started = TimeSource.Monotonic.markNow()
                withTimeout(5.seconds) { session.close(CloseReason(CloseReason.Codes.NORMAL, "")) }
                val took = started.elapsedNow()
                assertTrue(took < 3.seconds, "close took $took")
                assertEquals(CloseReason.Codes.CLOSED_ABNORMALLY, session.closeReason.await()?.knownReason)
                withTimeout(5.seconds) { sending.join() }
            }
        }

    @Test
    fun `the ping timeout fires while writes are stuck`() =
        wsTest(configure = { pingInterval = 300.milliseconds; timeout = 300.milliseconds; closeTimeout = 1.seconds }) { client ->
            RawServer { socket, head ->
                accept(socket, head)
                Thread.sleep(30_000)
            }.use { server ->
                val session = client.webSocketSession(server.url("/"))
                sendUntilRefused(session)
                withTimeout(6.seconds) {
                    assertFailsWith<WebSocketException.PingTimeout> { for (frame in session.incoming) {} }
                }
                assertEquals(CloseReason.Codes.INTERNAL_ERROR, withTimeout(5.seconds) { session.closeReason.await() }?.knownReason)
            }
        }

    /** An abnormal end makes `for (frame in incoming)` throw; `closeReason` still completes with its code. */
    @Test
    fun `an abnormal end throws from incoming`() =
        wsTest(configure = { pingInterval = 200.milliseconds; timeout = 300.milliseconds }) { client ->
            val endings = mapOf<String, RawServer.(java.net.Socket) -> Unit>(
                "eof" to { socket -> sendText(socket, "last words") },
                "reset" to { socket ->
                    sendText(socket, "last words")
                    Thread.sleep(100)
                    socket.setSoLinger(true, 0)
                },
                "silent" to { socket -> drain(socket) },
            )
            for ((name, ending) in endings) {
                RawServer { socket, head ->
                    accept(socket, head)
                    ending(socket)
                }.use { server ->
                    val session = client.webSocketSession(server.url("/"))
                    val failure = runCatching { for (frame in session.incoming) {} }.exceptionOrNull()
                    assertTrue(failure is WebSocketException, "$name: incoming ended with $failure, not an exception")
                    val expected = if (name == "silent") CloseReason.Codes.INTERNAL_ERROR else CloseReason.Codes.CLOSED_ABNORMALLY
                    assertEquals(expected, withTimeout(5.seconds) { session.closeReason.await() }?.knownReason, name)
                }
            }
        }

    /** Unread messages pause reading at `incomingQueueBytes`, the Kotlin layer's own buffer included. */
    @Test
    fun `unread large messages pause reading at the byte bound and none is lost`() =
        wsTest(configure = { incomingQueueBytes = 4L shl 20 }) { client ->
            RawServer { socket, head ->
                accept(socket, head)
                for (index in 0 until 48) {
                    val header = byteArrayOf(0x82.toByte(), 127) + java.nio.ByteBuffer.allocate(8).putLong(1L shl 20).array()
                    sendRaw(socket, header + ByteArray(1 shl 20) { index.toByte() })
                }
                events += "written"
                Thread.sleep(30_000)
            }.use { server ->
                val session = client.webSocketSession(server.url("/"))
                delay(1500.milliseconds)
                assertEquals(null, server.events.poll(), "48 MiB were taken in although the bound is 4 MiB")
                var index = 0
                for (frame in session.incoming) {
                    val data = (frame as Frame.Binary).data
                    assertEquals(1 shl 20, data.size)
                    assertTrue(data.all { it == index.toByte() }, "message $index")
                    if (++index == 48) break
                }
                assertEquals("written", server.events.poll(5, TimeUnit.SECONDS))
            }
        }
}
