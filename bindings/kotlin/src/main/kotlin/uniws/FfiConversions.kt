package uniws

import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import uniws.ffi.CloseReason as FfiCloseReason
import uniws.ffi.Frame as FfiFrame
import uniws.ffi.HttpCall as FfiHttpCall
import uniws.ffi.WebSocketException as FfiException

// One-to-one mappings between the public `uniws` types and the generated `uniws.ffi` ones.

internal fun Frame.toFfi(): FfiFrame = when (this) {
    is Frame.Text -> FfiFrame.Text(text)
    is Frame.Binary -> FfiFrame.Binary(data)
    is Frame.Ping -> FfiFrame.Ping(data)
    is Frame.Pong -> FfiFrame.Pong(data)
    is Frame.Close -> FfiFrame.Close(reason?.toFfi())
}

internal fun FfiFrame.toPublic(): Frame = when (this) {
    is FfiFrame.Text -> Frame.Text(text)
    is FfiFrame.Binary -> Frame.Binary(data)
    is FfiFrame.Ping -> Frame.Ping(data)
    is FfiFrame.Pong -> Frame.Pong(data)
    is FfiFrame.Close -> Frame.Close(reason?.toPublic())
}

internal fun CloseReason.toFfi(): FfiCloseReason = FfiCloseReason(code.toUShort(), message)

internal fun FfiCloseReason.toPublic(): CloseReason = CloseReason(code.toShort(), message)

internal fun FfiHttpCall.toPublic(): HttpCall = HttpCall(
    request = HttpRequest(request.url, HttpMethod.of(request.method), Headers(request.headers)),
    response = HttpResponse(response.status.toInt(), response.reasonPhrase, Headers(response.headers)),
    subprotocol = subprotocol,
    extensions = extensions,
    httpVersion = httpVersion,
)

internal fun FfiException.toPublic(): WebSocketException = when (this) {
    is FfiException.InvalidUrl -> WebSocketException.InvalidUrl(detail)
    is FfiException.InvalidRequest -> WebSocketException.InvalidRequest(detail)
    is FfiException.ConnectFailed -> WebSocketException.ConnectFailed(detail)
    is FfiException.ConnectTimeout -> WebSocketException.ConnectTimeout(detail)
    is FfiException.Tls -> WebSocketException.Tls(detail)
    is FfiException.HandshakeRejected -> WebSocketException.HandshakeRejected(status.toInt(), detail)
    is FfiException.HandshakeInvalid -> WebSocketException.HandshakeInvalid(detail)
    is FfiException.ProtocolViolation -> WebSocketException.ProtocolViolation(detail)
    is FfiException.FrameTooBig -> WebSocketException.FrameTooBig(detail)
    is FfiException.PingTimeout -> WebSocketException.PingTimeout(detail)
    is FfiException.Closed -> WebSocketException.Closed(reason.toPublic(), detail)
    is FfiException.Io -> WebSocketException.Io(detail)
    is FfiException.Cancelled -> WebSocketException.Cancelled(detail)
}.also { it.initCause(this) }

/** Runs a call into the core, turning its generated exceptions into [WebSocketException]s. */
internal inline fun <T> native(call: () -> T): T =
    try {
        call()
    } catch (error: FfiException) {
        throw error.toPublic()
    }

internal fun Duration.toJava(what: String): java.time.Duration {
    require(!isNegative()) { "$what must not be negative: $this" }
    return toJavaDuration()
}

internal fun java.time.Duration.toKotlin(): Duration = toKotlinDuration()

internal fun Long.toSize(what: String): ULong {
    require(this >= 0) { "$what must not be negative: $this" }
    return toULong()
}

internal fun Int.toQueueSize(what: String): UInt {
    require(this >= 0) { "$what must not be negative: $this" }
    return toUInt()
}
