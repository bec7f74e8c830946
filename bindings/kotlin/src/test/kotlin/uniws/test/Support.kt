package uniws.test

import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import uniws.Frame
import uniws.WebSocketClient
import uniws.WebSocketConfig
import uniws.readText

/**
 * Runs a test body on real time with [limit] as its behaviour bound (a hang fails the test instead
 * of stalling the build), with a client that is closed at the end.
 */
fun wsTest(
    limit: Duration = 30.seconds,
    configure: WebSocketConfig.() -> Unit = {},
    body: suspend CoroutineScope.(WebSocketClient) -> Unit,
) {
    val client = WebSocketClient(configure)
    try {
        runBlocking { withTimeout(limit) { body(client) } }
    } finally {
        client.close()
    }
}

/** The text of a frame that must be a text frame. */
fun Frame.text(): String = (this as? Frame.Text ?: error("expected a text frame, got $this")).readText()
