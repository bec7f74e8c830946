package uniws

/**
 * Everything that can go wrong opening or using a session. Every case carries a readable [detail];
 * [message] is a one-line summary.
 *
 * Opening throws [InvalidUrl], [InvalidRequest] (both before any I/O), [ConnectFailed],
 * [ConnectTimeout], [Tls], [HandshakeRejected] or [HandshakeInvalid]. A session that fails closes
 * [ClientWebSocketSession.incoming] with [ProtocolViolation], [FrameTooBig], [PingTimeout] or [Io];
 * sending on a session that has ended throws [Closed].
 */
public sealed class WebSocketException(message: String) : Exception(message) {
    /** What went wrong, in words. */
    public abstract val detail: String

    /** The URL could not be parsed, has a scheme other than ws, wss, http or https, or has no host. */
    public class InvalidUrl(override val detail: String) : WebSocketException("invalid URL: $detail")

    /**
     * The request or frame cannot be sent: a method other than GET, a malformed header or one the
     * handshake owns, a control frame over 125 bytes, or a close code that may not be sent.
     */
    public class InvalidRequest(override val detail: String) : WebSocketException("invalid request: $detail")

    /** The TCP connection could not be made: DNS failure, connection refused, unreachable. */
    public class ConnectFailed(override val detail: String) : WebSocketException("connect failed: $detail")

    /** Opening (DNS, TCP, TLS and the upgrade response) did not finish within the connect timeout. */
    public class ConnectTimeout(override val detail: String) : WebSocketException("connect timed out: $detail")

    /** The TLS handshake failed: untrusted certificate, wrong host name, unreadable CA bundle. */
    public class Tls(override val detail: String) : WebSocketException("TLS error: $detail")

    /**
     * The server answered the upgrade request with a status other than 101.
     *
     * @property status the HTTP status code.
     * @property detail the reason phrase and the start of the response body (at most 4 KiB).
     */
    public class HandshakeRejected(public val status: Int, override val detail: String) :
        WebSocketException("handshake rejected with HTTP $status: $detail")

    /**
     * The 101 response is not a valid WebSocket upgrade: a wrong `Sec-WebSocket-Accept`, a missing
     * `Upgrade` or `Connection`, a subprotocol or extension that was not offered, a malformed head.
     */
    public class HandshakeInvalid(override val detail: String) :
        WebSocketException("invalid handshake response: $detail")

    /** The peer broke RFC 6455; the session sent close 1002 (1007 for invalid UTF-8). */
    public class ProtocolViolation(override val detail: String) : WebSocketException("protocol violation: $detail")

    /** A frame or message exceeded `maxFrameSize` or `maxMessageSize`; the session sent close 1009. */
    public class FrameTooBig(override val detail: String) : WebSocketException("frame too big: $detail")

    /** No pong answered a ping within the timeout; the session sent close 1011. */
    public class PingTimeout(override val detail: String) : WebSocketException("ping timeout: $detail")

    /**
     * The session has ended; sending on it throws this.
     *
     * @property reason why the session ended, the value of [ClientWebSocketSession.closeReason].
     */
    public class Closed(public val reason: CloseReason, override val detail: String) :
        WebSocketException("session closed: $detail")

    /** Reading or writing the socket failed, for example because the connection was reset. */
    public class Io(override val detail: String) : WebSocketException("I/O error: $detail")

    /** The operation was cancelled inside the core. */
    public class Cancelled(override val detail: String) : WebSocketException("cancelled: $detail")
}
