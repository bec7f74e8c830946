package uniws

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uniws.ffi.CancellationToken

/**
 * Moves the received messages of the core's session into [channel] (the session's `incoming`), in
 * order, without losing one to a cancelled receive.
 *
 * A kotlinx channel drops an element handed to a `receive` whose coroutine is cancelled before it
 * resumes, reporting it to `onUndeliveredElement`. So a message stays pending here until it has
 * been delivered: one that comes back is offered again before anything newer, the offer of a newer
 * one is withdrawn, and a wait in the core is ended through its cancellation token (the core's
 * receive then either returns a message or consumes nothing). With one receiving coroutine, every
 * message is delivered once and in order, however its receives are cancelled.
 *
 * Once the application cancels [channel], what arrives is dropped, so that a full queue cannot stall
 * the session and its closing handshake.
 */
internal class IncomingForwarder(private val native: NativeSession) {
    private val lock = Any()

    /** Messages taken from the core and not delivered yet, oldest first. Guarded by [lock]. */
    private val pending = ArrayDeque<Frame>()

    /** The message being offered, whether it came back undelivered, and the offering coroutine. Guarded by [lock]. */
    private var offering: Frame? = null
    private var offeringCameBack = false
    private var offer: Job? = null

    /** The token of the wait in the core, while one is in progress. Guarded by [lock]. */
    private var waiting: CancellationToken? = null

    /** The channel behind `incoming`. */
    val channel: Channel<Frame> = Channel(Channel.RENDEZVOUS, onUndeliveredElement = ::cameBack)

    /** The outcome of one wait in the core. */
    private sealed class Received {
        class Message(val frame: Frame) : Received()

        object Interrupted : Received()

        class End(val failure: WebSocketException?) : Received()
    }

    /**
     * Forwards until the session has ended and every pending message has been delivered, then
     * closes [channel]: normally after a close handshake, with the [WebSocketException] after a
     * failure.
     */
    @OptIn(DelicateCoroutinesApi::class)
    suspend fun run() {
        var end: Received.End? = null
        while (true) {
            if (channel.isClosedForSend) synchronized(lock) { pending.clear() } // cancelled by the application
            val oldest = synchronized(lock) { pending.firstOrNull() }
            if (oldest != null) {
                offer(oldest)
                continue
            }
            if (end != null) break
            when (val next = receive()) {
                is Received.Message -> synchronized(lock) { pending.addLast(next.frame) }
                is Received.Interrupted -> Unit
                is Received.End -> end = next
            }
        }
        // A message handed to a receive that is cancelled after this point is lost: the channel
        // has closed, so it cannot be offered again.
        channel.close(end.failure)
    }

    /** A message handed out but not delivered: the one being offered, or one a cancelled receive took. */
    private fun cameBack(frame: Frame) {
        val overtaken = synchronized(lock) {
            if (frame === offering) {
                offeringCameBack = true // still pending, in its place
                return
            }
            // Delivered earlier, so older than everything pending: it goes first.
            pending.addFirst(frame)
            waiting?.cancel()
            offer
        }
        overtaken?.cancel()
    }

    /** Waits in the core for the next message, unless one comes back meanwhile. */
    private suspend fun receive(): Received {
        val token = CancellationToken()
        try {
            synchronized(lock) {
                if (pending.isNotEmpty()) return Received.Interrupted
                waiting = token
            }
            return Received.Message(native.receive(token))
        } catch (interrupted: WebSocketException.Cancelled) {
            return Received.Interrupted
        } catch (closed: WebSocketException.Closed) {
            return Received.End(null)
        } catch (failure: WebSocketException) {
            return Received.End(failure)
        } finally {
            synchronized(lock) { waiting = null }
            token.close()
        }
    }

    /** Offers the oldest pending [frame] until a receive takes it, it is withdrawn, or the channel is cancelled. */
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
}
