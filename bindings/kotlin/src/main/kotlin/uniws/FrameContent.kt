package uniws

/** The text of this text frame, as Ktor's `Frame.Text.readText()`. */
public fun Frame.Text.readText(): String = text

/**
 * A copy of this frame's payload as it goes on the wire: the UTF-8 bytes of a text frame, the data
 * of a binary, ping or pong frame, and for a close frame the two-byte code followed by the UTF-8
 * message (empty when the frame has no reason).
 */
public fun Frame.readBytes(): ByteArray = when (this) {
    is Frame.Text -> text.encodeToByteArray()
    is Frame.Binary -> data.copyOf()
    is Frame.Ping -> data.copyOf()
    is Frame.Pong -> data.copyOf()
    is Frame.Close -> reason?.let { reason ->
        val code = reason.code.toInt()
        byteArrayOf((code shr 8).toByte(), code.toByte()) + reason.message.encodeToByteArray()
    } ?: ByteArray(0)
}

/** The close code and message of this close frame, or `null` for an empty close frame. */
public fun Frame.Close.readReason(): CloseReason? = reason
