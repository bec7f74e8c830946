package uniws

import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.withContext

/**
 * Opens a session for the request set in [request], runs [block] with it as the receiver, and
 * closes it when the block ends, like Ktor's `client.webSocket { ... }`. Messages left unread are
 * dropped, and the close is graceful ([CloseReason.Codes.NORMAL]) and waited for, also when the
 * block throws or is cancelled; the block's exception is then rethrown.
 */
public suspend fun WebSocketClient.webSocket(
    request: WebSocketRequestBuilder.() -> Unit,
    block: suspend DefaultClientWebSocketSession.() -> Unit,
) {
    val session = webSocketSession(request)
    try {
        session.block()
    } finally {
        session.incoming.cancel()
        withContext(NonCancellable) { session.close() }
    }
}

/** [webSocket] for [urlString], with more of the request set in [request]. */
public suspend fun WebSocketClient.webSocket(
    urlString: String,
    request: WebSocketRequestBuilder.() -> Unit = {},
    block: suspend DefaultClientWebSocketSession.() -> Unit,
) {
    webSocket({
        url(urlString)
        request()
    }, block)
}

/** [webSocket] from parts: each part that is not `null` replaces that part of `ws://localhost/`. */
public suspend fun WebSocketClient.webSocket(
    method: HttpMethod = HttpMethod.GET,
    host: String? = null,
    port: Int? = null,
    path: String? = null,
    request: WebSocketRequestBuilder.() -> Unit = {},
    block: suspend DefaultClientWebSocketSession.() -> Unit,
) {
    webSocket({
        this.method = method
        this.host = host
        this.port = port
        this.path = path
        request()
    }, block)
}
