package uniws

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration.Companion.milliseconds
import uniws.ffi.CancellationToken

/**
 * Moves the received messages of the core's session into [channel] (the session's `incoming`), in
 * order, in batches (one core call for all the messages that have arrived), without losing one to
 * a cancelled receive.
 *
 * [channel] buffers [CAPACITY] messages, so a reader that keeps up takes them without waiting for
 * this coroutine. A kotlinx channel drops an element handed to a `receive` whose coroutine is
 * cancelled before it resumes, reporting it to `onUndeliveredElement`. Such a message comes back
 * here ([cameBack]) and goes first again: the newer messages still in the channel's buffer are
 * taken back behind it, the offer of a newer one that did not fit is withdrawn, and a wait in the
 * core is ended through its cancellation token (the core's receive then either returns messages or
 * consumes nothing). With one receiving coroutine, every message is delivered once and in order,
 * however its receives are cancelled: that coroutine's next receive starts only after the
 * cancelled one has given its message back.
 *
 * Once the application cancels [channel], what arrives is dropped, so that a full queue cannot stall
 * the session and its closing handshake.
 */
internal class IncomingForwarder(private val native: NativeSession, private val byteLimit: Long) {
    private val lock = Any()

    /**
     * Payload bytes (a text's in UTF-16 units) of the messages taken from the core and not yet
     * taken by the application: no more are taken from the core while this reaches [byteLimit]
     * (the core's `incomingQueueBytes`), so the layer holds no more than the core would.
     */
    private val held = AtomicLong()

    /** Tells [run] that the application took messages. */
    private val taken = Channel<Unit>(Channel.CONFLATED)

    /** Messages taken from the core and not in [channel] yet, oldest first. Guarded by [lock]. */
    private val pending = ArrayDeque<Frame>()

    /**
     * The message being offered to a full [channel] (it stays first in [pending] until it is in),
     * whether it came back undelivered, and the offering coroutine. Guarded by [lock].
     */
    private var offering: Frame? = null
    private var offeringCameBack = false
    private var offer: Job? = null

    /** The token of the wait in the core, while one is in progress, and whether it was cancelled. Guarded by [lock]. */
    private var waiting: CancellationToken? = null
    private var waitCancelled = false

    /** A token no wait has cancelled, kept for the next wait (each new one costs two core calls). Only [run] uses it. */
    private var spareToken: CancellationToken? = null

    /** Whether the last batch was full, so more messages have probably arrived. Only [run] uses it. */
    private var moreArrived = false

    /** The channel behind `incoming`. */
    val channel: Channel<Frame> = Channel(CAPACITY, onUndeliveredElement = ::cameBack)

    /** The outcome of one wait in the core. */
    private sealed class Received {
        class Messages(val frames: List<Frame>) : Received()

        object Interrupted : Received()

        class End(val failure: WebSocketException?) : Received()
    }

    /**
     * Forwards until the session has ended and every pending message is in [channel], then closes
     * it: normally after a close handshake, with the [WebSocketException] after a failure.
     */
    @OptIn(DelicateCoroutinesApi::class)
    suspend fun run() {
        var end: Received.End? = null
        while (true) {
            if (channel.isClosedForSend) synchronized(lock) { pending.clear() } // cancelled by the application
            val blocked = synchronized(lock) { pushPending() }
            if (blocked != null) {
                offer(blocked)
                continue
            }
            if (end != null) break
            // Over the byte bound: take nothing more from the core until the application reads.
            while (held.get() >= byteLimit && !channel.isClosedForSend) {
                withTimeoutOrNull(BYTES_RECHECK) { taken.receive() }
            }
            when (val next = receive()) {
                is Received.Messages -> synchronized(lock) {
                    held.addAndGet(next.frames.sumOf { it.payloadSize() })
                    pending.addAll(next.frames)
                }
                is Received.Interrupted -> Unit
                is Received.End -> end = next
            }
        }
        spareToken?.close()
        // A message handed to a receive that is cancelled after this point is lost: the channel
        // has closed, so it cannot be offered again.
        channel.close(end.failure)
    }

    /** The application took [frame] from `incoming`. */
    fun received(frame: Frame) {
        if (held.addAndGet(-frame.payloadSize()) < byteLimit) taken.trySend(Unit)
    }

    /** Puts pending messages into [channel] while it has room; returns the first that did not fit. Holds [lock]. */
    private fun pushPending(): Frame? {
        while (true) {
            val oldest = pending.firstOrNull() ?: return null
            if (!channel.trySend(oldest).isSuccess) return oldest
            pending.removeFirst()
        }
    }

    /** A message handed out but not delivered: the one being offered, or one a cancelled receive took. */
    private fun cameBack(frame: Frame) {
        val overtaken = synchronized(lock) {
            if (frame === offering) {
                offeringCameBack = true // still pending, in its place
                return
            }
            offer
        }
        // Withdraw the offer of a newer message: its cancelled send comes back above, as `offering`.
        overtaken?.cancel()
        synchronized(lock) {
            // Handed out earlier, so older than everything in the channel and pending: it goes first.
            val newer = ArrayList<Frame>()
            while (true) newer += channel.tryReceive().getOrNull() ?: break
            if (newer.isNotEmpty() && newer.last() === offering) {
                // The offered message got into the channel after all: it is still first in `pending`.
                newer.removeAt(newer.size - 1)
                offeringCameBack = true
            }
            pending.addAll(0, newer)
            pending.addFirst(frame)
            waiting?.let {
                it.cancel()
                waitCancelled = true
            }
        }
    }

    /** The messages that have arrived in the core, waiting for the first unless one comes back meanwhile. */
    private suspend fun receive(): Received {
        val received = receiveFromCore()
        moreArrived = received is Received.Messages && received.frames.size == BATCH
        return received
    }

    private suspend fun receiveFromCore(): Received {
        // One synchronous call when messages are probably there: cheaper than an async one, but
        // wasted when nothing has arrived (as when a reader takes one message per round trip).
        if (moreArrived) {
            try {
                val arrived = native.tryReceiveBatch(BATCH)
                if (arrived.isNotEmpty()) return Received.Messages(arrived)
            } catch (closed: WebSocketException.Closed) {
                return Received.End(null)
            }
        }
        val token = spareToken ?: CancellationToken()
        spareToken = null
        try {
            synchronized(lock) {
                waitCancelled = false
                if (pending.isNotEmpty()) return Received.Interrupted
                waiting = token
            }
            return Received.Messages(native.receiveBatch(BATCH, token))
        } catch (interrupted: WebSocketException.Cancelled) {
            return Received.Interrupted
        } catch (closed: WebSocketException.Closed) {
            return Received.End(null)
        } catch (failure: WebSocketException) {
            return Received.End(failure)
        } finally {
            val reusable = synchronized(lock) {
                waiting = null
                !waitCancelled
            }
            if (reusable) spareToken = token else token.close()
        }
    }

    /** Offers the oldest pending [frame] until [channel] takes it, it is withdrawn, or the channel is cancelled. */
    private suspend fun offer(frame: Frame) = coroutineScope {
        synchronized(lock) {
            if (pending.firstOrNull() !== frame) return@coroutineScope
            offering = frame
            offeringCameBack = false
        }
        // Undispatched, so `send` runs: a frame it does not deliver is reported to `cameBack`.
        val sending = launch(start = CoroutineStart.UNDISPATCHED) { channel.send(frame) }
        val overtaken = synchronized(lock) {
            offer = sending
            pending.firstOrNull() !== frame
        }
        if (overtaken) sending.cancel()
        sending.join()
        synchronized(lock) {
            if (!offeringCameBack) pending.removeAt(pending.indexOfFirst { it === frame })
            offering = null
            offer = null
        }
    }

    private companion object {
        /** The messages [channel] holds for a reader; a session holds at most this many plus [BATCH] more. */
        const val CAPACITY = 32

        /** The most messages taken from the core in one call. */
        const val BATCH = 32

        /** How often a forwarder over the byte bound looks again, whatever it was told. */
        val BYTES_RECHECK = 100.milliseconds
    }
}

/** The payload size the forwarder counts: bytes, or a text's UTF-16 units. */
internal fun Frame.payloadSize(): Long = when (this) {
    is Frame.Text -> text.length.toLong()
    is Frame.Binary -> data.size.toLong()
    else -> 0
}
