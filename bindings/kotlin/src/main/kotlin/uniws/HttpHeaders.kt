package uniws

/**
 * Header names as Ktor's `HttpHeaders` spells them, for code ported from Ktor:
 * `header(HttpHeaders.Authorization, "Bearer ...")`. A [SecWebSocketProtocol] header offers its
 * comma-separated subprotocols, as [WebSocketRequestBuilder.subprotocol] does; the other
 * `Sec-WebSocket-*`, [Upgrade] and [Connection] headers are written by the handshake itself and
 * refused with [WebSocketException.InvalidRequest].
 */
public object HttpHeaders {
    public const val Accept: String = "Accept"
    public const val AcceptCharset: String = "Accept-Charset"
    public const val AcceptEncoding: String = "Accept-Encoding"
    public const val AcceptLanguage: String = "Accept-Language"
    public const val Authorization: String = "Authorization"
    public const val CacheControl: String = "Cache-Control"
    public const val Connection: String = "Connection"
    public const val Cookie: String = "Cookie"
    public const val Host: String = "Host"
    public const val Origin: String = "Origin"
    public const val Pragma: String = "Pragma"
    public const val Referrer: String = "Referer"
    public const val SecWebSocketAccept: String = "Sec-WebSocket-Accept"
    public const val SecWebSocketExtensions: String = "Sec-WebSocket-Extensions"
    public const val SecWebSocketKey: String = "Sec-WebSocket-Key"
    public const val SecWebSocketProtocol: String = "Sec-WebSocket-Protocol"
    public const val SecWebSocketVersion: String = "Sec-WebSocket-Version"
    public const val Upgrade: String = "Upgrade"
    public const val UserAgent: String = "User-Agent"
}
