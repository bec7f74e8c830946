package uniws

import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.ReceiveChannel
import kotlinx.coroutines.channels.SendChannel
import kotlinx.coroutines.launch

/**
 * The session [WebSocketClient.webSocketSession] opens and [webSocket] runs its block in, like
 * Ktor's `DefaultClientWebSocketSession`; see [ClientWebSocketSession] for the contract.
 *
 * It is a thin layer over the session of the uniws core, which owns the socket, the bounded queues,
 * the pinger and the closing handshake. Two internal coroutines move frames between the core and
 * [incoming] / [outgoing] (see [IncomingForwarder]), and the core's session object is freed once
 * the session has ended and its last messages have moved into [incoming] (or [incoming] was cancelled).
 */
public class DefaultClientWebSocketSession internal constructor(
    private val native: NativeSession,
    parentContext: CoroutineContext,
    override val converter: WebsocketContentConverter?,
    incomingQueueBytes: Long,
) : ClientWebSocketSession {
    private val job = Job(parentContext[Job])

    /** Runs the frame forwarding and the end of the session; not tied to [job], so it outlives a cancellation. */
    private val internal = CoroutineScope(Dispatchers.Default + CoroutineName("uniws-session-internal"))

    override val coroutineContext: CoroutineContext = parentContext + job + CoroutineName("uniws-session")

    override val call: HttpCall get() = native.call

    override val extensions: List<String> get() = native.extensions

    private val incomingFrames = IncomingForwarder(native, incomingQueueBytes)
    /** Frames for the core, taken by [forwardOutgoing] in batches (one core call per batch). */
    private val outgoingFrames = Channel<Frame>(OUTGOING_BATCH)
    private val reason = CompletableDeferred<CloseReason?>()

    override val incoming: ReceiveChannel<Frame> =
        IncomingChannel(incomingFrames.channel, native::releaseFailure, incomingFrames::received)

    override val outgoing: SendChannel<Frame> get() = outgoingFrames

    override val closeReason: Deferred<CloseReason?> get() = reason

    override var maxFrameSize: Long by native::maxFrameSize

    override var pingInterval: Duration? by native::pingInterval

    override var timeout: Duration by native::timeout

    /** Whether the core's session object has been freed (for tests). */
    internal val isReleased: Boolean get() = native.isReleased

    init {
        val receiving = internal.launch { incomingFrames.run() }
        val sending = internal.launch { forwardOutgoing() }
        internal.launch {
            val ended = native.closeReason()
            outgoingFrames.close(WebSocketException.Closed(ended, "the session has ended ($ended)"))
            reason.complete(ended)
            job.complete()
            // Free the core's object once its last messages are in `incoming`; a session dropped
            // with more unread messages than `incoming` holds is freed by the garbage collector instead.
            receiving.join()
            sending.join()
            native.release(ended)
        }
        job.invokeOnCompletion { cause ->
            // Cancelled with the client, by the application or by a failed child: close in the background.
            if (cause != null) internal.launch { native.close(CloseReason(CloseReason.Codes.GOING_AWAY, "")) }
        }
    }

    override suspend fun send(frame: Frame): Unit = native.send(frame)

    override suspend fun close(reason: CloseReason) {
        native.close(reason)
        this.reason.await()
    }

    /** `DefaultClientWebSocketSession(GET ws://..., active)`. */
    override fun toString(): String =
        "DefaultClientWebSocketSession(${call.request}, ${if (reason.isCompleted) "closed" else "active"})"

    /**
     * Passes the frames of [outgoing] to the core in batches of what is already queued (at most
     * [OUTGOING_BATCH] frames or about [OUTGOING_BATCH_BYTES]; a close frame ends a batch), so a
     * burst of small frames costs one core call.
     */
    private suspend fun forwardOutgoing() {
        val batch = ArrayList<Frame>(OUTGOING_BATCH)
        while (true) {
            val first = outgoingFrames.receiveCatching()
            if (first.isClosed) {
                // Closed by the session's end (with its reason), or by the application (normally).
                if (first.exceptionOrNull() != null) return
                break
            }
            batch.add(first.getOrThrow())
            var bytes = payloadSize(batch.last())
            while (batch.size < OUTGOING_BATCH && bytes < OUTGOING_BATCH_BYTES && batch.last() !is Frame.Close) {
                val next = outgoingFrames.tryReceive().getOrNull() ?: break
                batch.add(next)
                bytes += payloadSize(next)
            }
            try {
                native.sendBatch(batch)
            } catch (invalid: WebSocketException.InvalidRequest) {
                // Nothing of the batch was sent: send its valid frames up to the refused one.
                if (!forwardOneByOne(batch)) return
            } catch (refused: WebSocketException) {
                // The session has ended (`Closed`): later sends throw the same.
                outgoingFrames.close(refused)
                return
            }
            batch.clear()
        }
        // The application closed `outgoing`: close the session after what it sent, as Ktor does.
        try {
            native.send(Frame.Close(CloseReason(CloseReason.Codes.NORMAL, "")))
        } catch (ended: WebSocketException.Closed) {
            // Already closing.
        }
    }

    /** Sends [frames] one at a time; on a refusal closes [outgoing] with it and returns `false`. */
    private suspend fun forwardOneByOne(frames: List<Frame>): Boolean {
        try {
            for (frame in frames) native.send(frame)
        } catch (refused: WebSocketException) {
            outgoingFrames.close(refused)
            return false
        }
        return true
    }

    private companion object {
        /** The most frames passed to the core in one call, and the room in [outgoing]. */
        const val OUTGOING_BATCH = 64

        /** A batch stops growing at this many payload bytes: large frames gain nothing from batching. */
        const val OUTGOING_BATCH_BYTES = 64 shl 10

        fun payloadSize(frame: Frame): Int = when (frame) {
            is Frame.Binary -> frame.data.size
            is Frame.Text -> frame.text.length
            else -> 0
        }
    }
}
