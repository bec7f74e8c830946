package uniws

import kotlin.time.Duration
import uniws.ffi.CancellationToken
import uniws.ffi.FfiSession

/**
 * The generated session handle with public types, and its release.
 *
 * Once the session has ended and nothing reads from it any more, [release] frees the Rust object;
 * after that every call answers from what was known at the end, without touching the handle.
 */
internal class NativeSession(private val handle: FfiSession) {
    /** The settings and reason captured when the handle is released. */
    private class Final(
        val reason: CloseReason,
        val maxFrameSize: Long,
        val pingInterval: Duration?,
        val timeout: Duration,
    )

    @Volatile
    private var final: Final? = null

    val call: HttpCall = handle.callInfo().toPublic()

    val extensions: List<String> = handle.negotiatedExtensions()

    /** Whether the Rust object has been freed. */
    val isReleased: Boolean get() = final != null

    init {
        // `incoming` is filled ahead of the application: the failure waits for it (see IncomingChannel).
        handle.deferFailureRelease()
    }

    /** The application has read up to the end of `incoming`: a failure may now be carried out. */
    fun releaseFailure() = useIfAlive { it.releaseFailure() }

    suspend fun send(frame: Frame) {
        // Queue without waiting when there is room: one cheap synchronous call instead of an async
        // one. A message's payload crosses on its own, not inside a serialized frame.
        val queued = when (frame) {
            is Frame.Binary -> use { it.trySendBinary(frame.data) }
            is Frame.Text -> use { it.trySendText(frame.text) }
            else -> use { it.trySend(frame.toFfi()) }
        }
        if (!queued) use { it.send(frame.toFfi()) }
    }

    /**
     * Sends [frames] in order: as many as fit with one synchronous call, the rest through the
     * core's waiting batch send. A [Frame.Close] may only come last.
     */
    suspend fun sendBatch(frames: List<Frame>) {
        if (frames.size == 1) return send(frames[0])
        val ffiFrames = frames.map { it.toFfi() }
        val queued = use { it.trySendBatch(ffiFrames) }.toInt()
        if (queued < ffiFrames.size) use { it.sendBatch(ffiFrames.subList(queued, ffiFrames.size)) }
    }

    /** Up to [max] messages that have already arrived, through one synchronous call; none if none has. */
    fun tryReceiveBatch(max: Int): List<Frame> = use { it.tryReceiveBatch(max.toUInt()) }.map { it.toPublic() }

    /**
     * Waits for the next message and returns up to [max] that have arrived; [WebSocketException.Cancelled],
     * consuming nothing, once [token] is cancelled.
     */
    suspend fun receiveBatch(max: Int, token: CancellationToken): List<Frame> =
        use { it.receiveBatchWithCancellation(max.toUInt(), token) }.map { it.toPublic() }

    suspend fun close(reason: CloseReason) {
        val ffiReason = reason.toFfi()
        try {
            use { it.closeWith(ffiReason) }
        } catch (ended: WebSocketException.Closed) {
            // Released: the session had already ended, which is all close waits for.
        }
    }

    suspend fun closeReason(): CloseReason = final?.reason ?: use { it.closeReason() }.toPublic()

    var maxFrameSize: Long
        get() = final?.maxFrameSize ?: use { it.getMaxFrameSize() }.toLong()
        set(value) {
            val bytes = value.toSize("maxFrameSize")
            useIfAlive { it.setMaxFrameSize(bytes) }
        }

    var pingInterval: Duration?
        get() {
            val ended = final ?: return use { it.getPingInterval() }?.toKotlin()
            return ended.pingInterval
        }
        set(value) {
            val interval = value?.toJava("pingInterval")
            useIfAlive { it.setPingInterval(interval) }
        }

    var timeout: Duration
        get() = final?.timeout ?: use { it.getTimeout() }.toKotlin()
        set(value) {
            val timeout = value.toJava("timeout")
            useIfAlive { it.setTimeout(timeout) }
        }

    /** Frees the Rust object of a session that has ended with [reason]. Call it once, when nothing uses it. */
    fun release(reason: CloseReason) {
        final = Final(
            reason = reason,
            maxFrameSize = handle.getMaxFrameSize().toLong(),
            pingInterval = handle.getPingInterval()?.toKotlin(),
            timeout = handle.getTimeout().toKotlin(),
        )
        handle.destroy()
    }

    /** Runs [call] on the handle, or throws [WebSocketException.Closed] once it has been released. */
    private inline fun <T> use(call: (FfiSession) -> T): T {
        final?.let { throw closed(it.reason) }
        return try {
            native { call(handle) }
        } catch (destroyed: IllegalStateException) {
            // The generated code refuses calls on a destroyed handle; that means the session ended.
            val ended = final ?: throw destroyed
            throw closed(ended.reason)
        }
    }

    private inline fun useIfAlive(call: (FfiSession) -> Unit) {
        try {
            use(call)
        } catch (ended: WebSocketException.Closed) {
            // Settings of a session that has ended no longer apply.
        }
    }

    private fun closed(reason: CloseReason) = WebSocketException.Closed(reason, "the session has ended ($reason)")
}
