package uniws

import uniws.ffi.CloseCode
import uniws.ffi.closeCodeFromValue
import uniws.ffi.closeCodeValue

/**
 * Why a session closed, as Ktor's `CloseReason`: the code and message of a close frame, or one of
 * the codes reserved for reporting (1005 no status, 1006 closed abnormally).
 *
 * @property code the close code (RFC 6455 section 7.4); the well-known ones are in [Codes].
 * @property message a human-readable message, at most 123 bytes of UTF-8 when sent.
 */
public data class CloseReason(public val code: Short, public val message: String) {
    /** A close reason from a well-known [code] and a [message]. */
    public constructor(code: Codes, message: String) : this(code.code, message)

    /** The well-known code this reason carries, or `null` for any other code. */
    public val knownReason: Codes? get() = Codes.byCode(code)

    /** `CloseReason(reason=NORMAL, message=...)`, with the numeric code when it is not well known. */
    override fun toString(): String = "CloseReason(reason=${knownReason ?: code}, message=$message)"

    /**
     * The well-known close codes. Their numeric values come from the uniws core.
     */
    public enum class Codes(internal val native: CloseCode) {
        /** 1000: the purpose of the connection has been fulfilled. */
        NORMAL(CloseCode.NORMAL),

        /** 1001: the endpoint is going away (a closed client, a server shutting down). */
        GOING_AWAY(CloseCode.GOING_AWAY),

        /** 1002: the peer violated the protocol. */
        PROTOCOL_ERROR(CloseCode.PROTOCOL_ERROR),

        /** 1003: a data type the endpoint cannot accept. */
        CANNOT_ACCEPT(CloseCode.CANNOT_ACCEPT),

        /** 1005: reported (never sent) when a close frame carried no code. */
        NO_STATUS(CloseCode.NO_STATUS),

        /** 1006: reported (never sent) when the connection ended without a close frame. */
        CLOSED_ABNORMALLY(CloseCode.CLOSED_ABNORMALLY),

        /** 1007: data not consistent with its type, such as invalid UTF-8 in a text message. */
        NOT_CONSISTENT(CloseCode.NOT_CONSISTENT),

        /** 1008: a message violated the endpoint's policy. */
        VIOLATED_POLICY(CloseCode.VIOLATED_POLICY),

        /** 1009: a frame or message exceeded the size limit. */
        TOO_BIG(CloseCode.TOO_BIG),

        /** 1010: the client expected an extension the server did not negotiate. */
        NO_EXTENSION(CloseCode.NO_EXTENSION),

        /** 1011: an unexpected condition (uniws sends it on ping timeout). */
        INTERNAL_ERROR(CloseCode.INTERNAL_ERROR),

        /** 1012: the service is restarting. */
        SERVICE_RESTART(CloseCode.SERVICE_RESTART),

        /** 1013: try again later. */
        TRY_AGAIN_LATER(CloseCode.TRY_AGAIN_LATER);

        /** The numeric value of this code. */
        public val code: Short = run {
            NativeLibrary.ensureConfigured()
            closeCodeValue(native).toShort()
        }

        /** Lookup of well-known codes. */
        public companion object {
            /** The well-known code with the numeric value [code], or `null`. */
            public fun byCode(code: Short): Codes? =
                closeCodeFromValue(code.toUShort())?.let { known -> entries.first { it.native == known } }
        }
    }
}
