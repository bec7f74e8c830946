package uniws

import java.net.URI

/**
 * The HTTP upgrade call that opened a session, like Ktor's `session.call`.
 *
 * @property request the upgrade request as it was sent.
 * @property response the server's `101 Switching Protocols` response.
 * @property subprotocol the subprotocol the server chose, if any (always one of those offered).
 * @property extensions the extensions the server accepted, as its answer wrote them; empty when none.
 * @property httpVersion the HTTP version of the response, such as `HTTP/1.1`.
 */
public class HttpCall internal constructor(
    public val request: HttpRequest,
    public val response: HttpResponse,
    public val subprotocol: String?,
    public val extensions: List<String>,
    public val httpVersion: String,
) {
    /** `HttpCall(GET ws://..., 101 Switching Protocols)`. */
    override fun toString(): String = "HttpCall(${request.method} ${request.url}, $response)"
}

/**
 * The upgrade request as it was sent.
 *
 * @property url the resolved `ws://` or `wss://` URL.
 * @property method the method (always [HttpMethod.GET]).
 * @property headers every header field as sent, in order, including `Sec-WebSocket-Key`.
 */
public class HttpRequest internal constructor(
    public val url: URI,
    public val method: HttpMethod,
    public val headers: Headers,
) {
    /** `GET ws://...`. */
    override fun toString(): String = "$method $url"
}

/**
 * The server's upgrade response.
 *
 * @property status the status code (101).
 * @property reasonPhrase the reason phrase as sent, usually `Switching Protocols`.
 * @property headers every header field as received, in order.
 */
public class HttpResponse internal constructor(
    public val status: Int,
    public val reasonPhrase: String,
    public val headers: Headers,
) {
    /** `101 Switching Protocols`. */
    override fun toString(): String = "$status $reasonPhrase"
}
