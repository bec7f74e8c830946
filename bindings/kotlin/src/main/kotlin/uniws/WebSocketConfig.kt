package uniws

import kotlin.time.Duration
import kotlinx.serialization.json.Json
import uniws.ffi.Header
import uniws.ffi.CertificatePin
import uniws.ffi.TlsConfig
import uniws.ffi.WebSocketConfig as FfiWebSocketConfig

/**
 * The configuration of a [WebSocketClient], set in its builder block like Ktor's WebSockets plugin:
 *
 * ```kotlin
 * val client = WebSocketClient {
 *     pingInterval = 30.seconds
 *     maxFrameSize = 1024 * 1024
 * }
 * ```
 *
 * Every property starts at the uniws core's default. A `null` duration means the core's default.
 */
public class WebSocketConfig internal constructor() {
    private val defaults = FfiWebSocketConfig()

    /** How often to send a ping; `null` or zero sends none (the default). */
    public var pingInterval: Duration? = defaults.pingInterval?.toKotlin()

    /** How long to wait for the pong answering a ping before failing the session; `null`: 15 s. */
    public var timeout: Duration? = defaults.timeout?.toKotlin()

    /** How long opening a session may take in all (DNS, TCP, TLS, upgrade); `null`: 10 s. */
    public var connectTimeout: Duration? = defaults.connectTimeout?.toKotlin()

    /** How long a closing handshake waits for the peer; `null`: 5 s. */
    public var closeTimeout: Duration? = defaults.closeTimeout?.toKotlin()

    /** The largest frame payload accepted, in bytes; a larger one fails the session with 1009. Default 16 MiB. */
    public var maxFrameSize: Long = defaults.maxFrameSize.toLong()

    /** The largest message accepted, all fragments together, in bytes. Default 64 MiB. */
    public var maxMessageSize: Long = defaults.maxMessageSize.toLong()

    /** The `User-Agent` header value; `null` sends none (the default). */
    public var userAgent: String? = defaults.userAgent

    /** How many received messages may wait for the application before reading pauses. Default 64. */
    public var incomingQueueSize: Int = defaults.incomingQueueSize.toInt()

    /**
     * How many payload bytes of received messages may wait unread before reading pauses (one
     * message always fits); the messages [ClientWebSocketSession.incoming] has taken from the core
     * count too. Default 16 MiB.
     */
    public var incomingQueueBytes: Long = defaults.incomingQueueBytes.toLong()

    /** How many messages `send` may queue ahead of the socket (at most 128 KiB of them) before it waits. Default 64. */
    public var outgoingQueueSize: Int = defaults.outgoingQueueSize.toInt()

    /** Whether the system's trust store is used for `wss://` (default `true`). */
    public var useSystemTrustStore: Boolean = defaults.tls.useSystemTrustStore

    /** The oldest TLS version accepted for `wss://`; `null` (default) accepts TLS 1.2 and 1.3. */
    public var minTlsVersion: TlsVersion? = null

    /**
     * Turns values into frames and back for [sendSerialized] and [receiveDeserialized]. Default:
     * kotlinx.serialization JSON in text frames; `null` disables them.
     */
    public var contentConverter: WebsocketContentConverter? = KotlinxWebsocketSerializationConverter(Json)

    private val deflate = WebSocketDeflateExtension.Config()

    /** Configures extensions: `extensions { install(WebSocketDeflateExtension) { ... } }`. */
    public fun extensions(block: WebSocketExtensionsConfig.() -> Unit) {
        WebSocketExtensionsConfig(deflate).block()
    }

    private val headers = defaults.defaultHeaders.toMutableList()
    private val rootCertificates = defaults.tls.extraRootCertificatesPem.toMutableList()
    private val certificatePins = mutableListOf<CertificatePin>()

    /** Adds a header field sent with every upgrade request, before the request's own. */
    public fun header(name: String, value: String) {
        headers += Header(name, value)
    }

    /** Trusts the root certificates of a PEM document for `wss://`, besides the system's. */
    public fun trustRootCertificates(pem: String) {
        rootCertificates += pem
    }

    /**
     * Pins certificates for the hosts [pattern] covers, on top of normal verification, like
     * OkHttp's `CertificatePinner.Builder.add`: `example.com`, `*.example.com` (one more label) or
     * `**.example.com` (the host and any labels more); each pin is `sha256/` and the base64
     * SHA-256 of a certificate's public key. For a covered host, one certificate the server
     * presents must match a pin, or opening fails with [WebSocketException.Tls] naming the pins
     * presented. A malformed pin fails every `wss://` open with [WebSocketException.Tls].
     */
    public fun certificatePin(pattern: String, vararg pins: String) {
        for (pin in pins) certificatePins += CertificatePin(pattern, pin)
    }

    internal fun toFfi(): FfiWebSocketConfig = FfiWebSocketConfig(
        pingInterval = pingInterval?.toJava("pingInterval"),
        timeout = timeout?.toJava("timeout"),
        connectTimeout = connectTimeout?.toJava("connectTimeout"),
        closeTimeout = closeTimeout?.toJava("closeTimeout"),
        maxFrameSize = maxFrameSize.toSize("maxFrameSize"),
        maxMessageSize = maxMessageSize.toSize("maxMessageSize"),
        defaultHeaders = headers.toList(),
        userAgent = userAgent,
        tls = TlsConfig(rootCertificates.toList(), useSystemTrustStore, certificatePins.toList(), minTlsVersion?.native),
        incomingQueueSize = incomingQueueSize.toQueueSize("incomingQueueSize"),
        incomingQueueBytes = incomingQueueBytes.toSize("incomingQueueBytes"),
        outgoingQueueSize = outgoingQueueSize.toQueueSize("outgoingQueueSize"),
        deflate = deflate.toFfi(),
    )
}
