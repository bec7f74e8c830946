package uniws

import java.io.Closeable
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import uniws.ffi.FfiClient
import uniws.ffi.WebSocketRequest as FfiRequest

/**
 * Opens WebSocket sessions with one configuration, like a Ktor `HttpClient` with the WebSockets
 * plugin installed:
 *
 * ```kotlin
 * val client = WebSocketClient { pingInterval = 30.seconds }
 * val session = client.webSocketSession("wss://example.com/ws")
 * ```
 *
 * The client is a [CoroutineScope]; each session's scope is a child of it. [close] (or cancelling
 * the client's job) closes every open session with [CloseReason.Codes.GOING_AWAY], completing their
 * [ClientWebSocketSession.closeReason], and then frees the client.
 *
 * @param configure sets the [WebSocketConfig]; every setting has a default.
 */
public class WebSocketClient(configure: WebSocketConfig.() -> Unit = {}) : CoroutineScope, Closeable {
    private val converter: WebsocketContentConverter?
    private val incomingQueueBytes: Long
    private val native: FfiClient
    private val job = SupervisorJob()

    override val coroutineContext: CoroutineContext = job + Dispatchers.Default + CoroutineName("uniws-client")

    init {
        val config = WebSocketConfig().apply(configure)
        converter = config.contentConverter
        incomingQueueBytes = config.incomingQueueBytes
        val ffiConfig = config.toFfi()
        NativeLibrary.ensureConfigured()
        native = FfiClient(ffiConfig)
        job.invokeOnCompletion { native.destroy() }
    }

    /**
     * Opens a session for the request set in [block] (`url(...)`, `header(...)`, `subprotocol(...)`),
     * within the connect timeout. Cancelling the calling coroutine abandons the opening and closes
     * the half-open connection.
     *
     * @throws WebSocketException one of the opening failures, such as
     *   [WebSocketException.ConnectFailed] or [WebSocketException.HandshakeRejected].
     * @throws IllegalStateException when the client has been closed.
     */
    public suspend fun webSocketSession(block: WebSocketRequestBuilder.() -> Unit): DefaultClientWebSocketSession =
        open(WebSocketRequestBuilder().apply(block).build())

    /**
     * Opens a session for [urlString] (`ws://`, `wss://`, `http://` or `https://`), with more of the
     * request set in [block]. See the overload taking only a block.
     */
    public suspend fun webSocketSession(
        urlString: String,
        block: WebSocketRequestBuilder.() -> Unit = {},
    ): DefaultClientWebSocketSession = webSocketSession {
        url(urlString)
        block()
    }

    /**
     * Opens a session from parts, like Ktor's `webSocketSession(method, host, port, path)`: each
     * part that is not `null` replaces that part of `ws://localhost/`. See the overload taking only
     * a block.
     */
    public suspend fun webSocketSession(
        method: HttpMethod = HttpMethod.GET,
        host: String? = null,
        port: Int? = null,
        path: String? = null,
        block: WebSocketRequestBuilder.() -> Unit = {},
    ): DefaultClientWebSocketSession = webSocketSession {
        this.method = method
        this.host = host
        this.port = port
        this.path = path
        block()
    }

    /**
     * Closes the client: every open session closes with [CloseReason.Codes.GOING_AWAY] in the
     * background (await their [ClientWebSocketSession.closeReason] to know when), and opening new
     * sessions fails. Calling it again does nothing.
     */
    override fun close() {
        job.cancel()
    }

    private suspend fun open(request: FfiRequest): DefaultClientWebSocketSession {
        check(job.isActive) { "This WebSocketClient is closed" }
        val handle = native { native.webSocketSession(request) }
        return DefaultClientWebSocketSession(NativeSession(handle), coroutineContext, converter, incomingQueueBytes)
    }
}
