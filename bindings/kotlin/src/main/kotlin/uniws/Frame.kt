package uniws

/**
 * The type of a [Frame], as in Ktor's `FrameType`.
 *
 * @property controlFrame whether frames of this type are control frames (close, ping, pong).
 */
public enum class FrameType(public val controlFrame: Boolean) {
    /** A UTF-8 text message. */
    TEXT(false),

    /** A binary message. */
    BINARY(false),

    /** A close frame. */
    CLOSE(true),

    /** A ping. */
    PING(true),

    /** A pong. */
    PONG(true),
}

/**
 * One WebSocket message or control frame, shaped like Ktor's `Frame`.
 *
 * Received messages are always complete (fragments are reassembled by the session), and pings and
 * pongs are handled by the session, so [ClientWebSocketSession.incoming] only ever yields [Text] and
 * [Binary]. All five kinds can be sent: [Ping] and [Pong] carry at most 125 bytes, and sending a
 * [Close] starts the closing handshake without waiting for it (see [ClientWebSocketSession.close]).
 *
 * Frames compare by content.
 */
public sealed class Frame {
    /** The type of this frame. */
    public abstract val frameType: FrameType

    /**
     * A text message.
     *
     * @property text the message text; read it with [readText].
     */
    public class Text(public val text: String) : Frame() {
        override val frameType: FrameType get() = FrameType.TEXT

        /** Whether [other] is a text frame with the same text. */
        override fun equals(other: Any?): Boolean = other is Text && other.text == text

        /** A hash of the text. */
        override fun hashCode(): Int = text.hashCode()

        /** `Frame TEXT (length)`, without the content. */
        override fun toString(): String = "Frame TEXT (${text.length} chars)"
    }

    /**
     * A binary message.
     *
     * @property data the message bytes; [readBytes] returns a copy.
     */
    public class Binary(public val data: ByteArray) : Frame() {
        override val frameType: FrameType get() = FrameType.BINARY

        /** Whether [other] is a binary frame with the same bytes. */
        override fun equals(other: Any?): Boolean = other is Binary && other.data.contentEquals(data)

        /** A hash of the bytes. */
        override fun hashCode(): Int = data.contentHashCode()

        /** `Frame BINARY (size)`, without the content. */
        override fun toString(): String = "Frame BINARY (${data.size} bytes)"
    }

    /**
     * A ping; the peer answers with a pong carrying the same data (at most 125 bytes).
     *
     * @property data the application data.
     */
    public class Ping(public val data: ByteArray) : Frame() {
        override val frameType: FrameType get() = FrameType.PING

        /** Whether [other] is a ping with the same data. */
        override fun equals(other: Any?): Boolean = other is Ping && other.data.contentEquals(data)

        /** A hash of the data. */
        override fun hashCode(): Int = data.contentHashCode()

        /** `Frame PING (size)`. */
        override fun toString(): String = "Frame PING (${data.size} bytes)"
    }

    /**
     * A pong; sending one unsolicited is a one-way heartbeat (at most 125 bytes).
     *
     * @property data the application data.
     */
    public class Pong(public val data: ByteArray) : Frame() {
        override val frameType: FrameType get() = FrameType.PONG

        /** Whether [other] is a pong with the same data. */
        override fun equals(other: Any?): Boolean = other is Pong && other.data.contentEquals(data)

        /** A hash of the data. */
        override fun hashCode(): Int = data.contentHashCode()

        /** `Frame PONG (size)`. */
        override fun toString(): String = "Frame PONG (${data.size} bytes)"
    }

    /**
     * A close frame. Sending one starts the closing handshake without waiting for it; a `null`
     * reason is sent as [CloseReason.Codes.NORMAL].
     *
     * @property reason the close code and message; read it with [readReason].
     */
    public class Close(public val reason: CloseReason? = null) : Frame() {
        override val frameType: FrameType get() = FrameType.CLOSE

        /** Whether [other] is a close frame with the same reason. */
        override fun equals(other: Any?): Boolean = other is Close && other.reason == reason

        /** A hash of the reason. */
        override fun hashCode(): Int = reason.hashCode()

        /** `Frame CLOSE (reason)`. */
        override fun toString(): String = "Frame CLOSE ($reason)"
    }
}
