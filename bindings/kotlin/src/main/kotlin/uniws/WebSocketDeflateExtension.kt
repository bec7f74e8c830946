package uniws

import uniws.ffi.DeflateConfig

/**
 * permessage-deflate (RFC 7692), configured as Ktor's `WebSocketDeflateExtension` is:
 *
 * ```kotlin
 * val client = WebSocketClient {
 *     extensions {
 *         install(WebSocketDeflateExtension) {
 *             compressionLevel = 6
 *             compressIfBiggerThan(bytes = 1024)
 *         }
 *     }
 * }
 * ```
 *
 * Unlike Ktor, uniws offers it by default (as browsers and OkHttp do); set [Config.enabled] to
 * `false` to stop. A server that declines gets an uncompressed session; the negotiated extension
 * is in [ClientWebSocketSession.extensions].
 */
public object WebSocketDeflateExtension {
    /** The settings; each starts at the uniws core's default. */
    public class Config internal constructor() {
        private val defaults = DeflateConfig()

        /** Whether permessage-deflate is offered. Default `true`. */
        public var enabled: Boolean = defaults.enabled

        /** The zlib level, 0 (none) to 9 (smallest, slowest). Default 6. */
        public var compressionLevel: Int = defaults.compressionLevel.toInt()

        /** Asks to reset our compression context after each message (less memory, larger messages). */
        public var clientNoContextTakeOver: Boolean = defaults.clientNoContextTakeover

        /** Asks the server to reset its compression context after each message. */
        public var serverNoContextTakeOver: Boolean = defaults.serverNoContextTakeover

        /** The largest window we compress with, 8 to 15 bits (15: about 256 KiB of state). Default 15. */
        public var clientMaxWindowBits: Int = defaults.clientMaxWindowBits.toInt()

        /** Asks the server to compress with at most this window, 8 to 15 bits; `null` (default) does not ask. */
        public var serverMaxWindowBits: Int? = defaults.serverMaxWindowBits?.toInt()

        private var threshold: Long = defaults.compressIfBiggerThan.toLong()

        /** Sends messages of at most [bytes] bytes uncompressed. Default 0: every message is compressed. */
        public fun compressIfBiggerThan(bytes: Int) {
            require(bytes >= 0) { "compressIfBiggerThan takes a byte count, got $bytes" }
            threshold = bytes.toLong()
        }

        internal fun toFfi(): DeflateConfig = DeflateConfig(
            enabled = enabled,
            compressionLevel = windowOrLevel("compressionLevel", compressionLevel, 0..9),
            compressIfBiggerThan = threshold.toUInt(),
            clientMaxWindowBits = windowOrLevel("clientMaxWindowBits", clientMaxWindowBits, 8..15),
            serverMaxWindowBits = serverMaxWindowBits?.let { windowOrLevel("serverMaxWindowBits", it, 8..15) },
            clientNoContextTakeover = clientNoContextTakeOver,
            serverNoContextTakeover = serverNoContextTakeOver,
        )

        private fun windowOrLevel(name: String, value: Int, range: IntRange): UByte {
            require(value in range) { "$name must be in $range, got $value" }
            return value.toUByte()
        }
    }
}

/** The extensions block of [WebSocketConfig], as in Ktor's plugin configuration. */
public class WebSocketExtensionsConfig internal constructor(private val deflate: WebSocketDeflateExtension.Config) {
    /** Configures permessage-deflate (offered by default, configured or not). */
    public fun install(
        extension: WebSocketDeflateExtension,
        configure: WebSocketDeflateExtension.Config.() -> Unit = {},
    ) {
        deflate.configure()
    }
}
