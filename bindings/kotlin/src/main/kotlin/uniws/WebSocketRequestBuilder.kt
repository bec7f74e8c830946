package uniws

import java.net.URI
import kotlin.time.Duration
import uniws.ffi.Header
import uniws.ffi.WebSocketRequest

/**
 * What to open, set in the block of [WebSocketClient.webSocketSession] and [webSocket], like Ktor's
 * request builder:
 *
 * ```kotlin
 * client.webSocketSession {
 *     url("wss://example.com/ws")
 *     header("Authorization", "Bearer token")
 *     subprotocol("chat.v1")
 * }
 * ```
 *
 * [host], [port] and [path] replace the parts of the URL; with no URL the base is `ws://localhost/`.
 * `http://` and `https://` URLs map to `ws://` and `wss://`.
 */
public class WebSocketRequestBuilder internal constructor() {
    private var url: String? = null
    private val headers = mutableListOf<Header>()
    private val subprotocols = mutableListOf<String>()

    /** The method; anything but [HttpMethod.GET] fails with [WebSocketException.InvalidRequest]. */
    public var method: HttpMethod = HttpMethod.GET

    /** Replaces the URL's host. */
    public var host: String? = null

    /** Replaces the URL's port (default: 80 for ws, 443 for wss). */
    public var port: Int? = null

    /** Replaces the URL's path and query, such as `/chat?room=1`. */
    public var path: String? = null

    /** Overrides the client's connect timeout for this request. */
    public var connectTimeout: Duration? = null

    /** Sets the URL: `ws://`, `wss://`, `http://` or `https://`. */
    public fun url(urlString: String) {
        url = urlString
    }

    /** Sets the URL. */
    public fun url(uri: URI) {
        url = uri.toString()
    }

    /** Adds a header field (repeatable; order is kept). A `null` value adds nothing, as in Ktor. */
    public fun header(name: String, value: Any?) {
        if (value != null) headers += Header(name, value.toString())
    }

    /** Offers [protocols] in `Sec-WebSocket-Protocol`, after those already offered, in order of preference. */
    public fun subprotocol(vararg protocols: String) {
        subprotocols += protocols
    }

    internal fun build(): WebSocketRequest = WebSocketRequest(
        url = url,
        method = method.native,
        host = host,
        port = port?.let { port ->
            require(port in 0..65535) { "port must be in 0..65535: $port" }
            port.toUShort()
        },
        path = path,
        headers = headers.toList(),
        subprotocols = subprotocols.toList(),
        connectTimeout = connectTimeout?.toJava("connectTimeout"),
    )
}
