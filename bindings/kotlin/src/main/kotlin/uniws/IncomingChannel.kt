package uniws

import kotlinx.coroutines.channels.ChannelIterator
import kotlinx.coroutines.channels.ChannelResult
import kotlinx.coroutines.channels.ClosedReceiveChannelException
import kotlinx.coroutines.channels.ReceiveChannel

/**
 * A session's `incoming` as the application reads it: the forwarder's channel, plus a call to
 * [received] for each message the application takes (the forwarder counts the bytes it holds)
 * and to [reachedEnd] when a receive finds the channel closed (normally or with the session's
 * failure).
 *
 * The forwarder takes messages from the core ahead of the application, so it meets a failure
 * first. The core then waits for [reachedEnd] before it refuses sends and sends the failing close
 * frame, so the application's answers to the messages before the failure still go out first, as
 * they do in Rust and Swift. `onReceive` in a `select` calls neither: the session then fails when
 * the application lets it go, or after the close timeout, and the forwarder counts the messages
 * taken that way as still held.
 */
internal class IncomingChannel(
    private val frames: ReceiveChannel<Frame>,
    private val reachedEnd: () -> Unit,
    private val received: (Frame) -> Unit,
) : ReceiveChannel<Frame> by frames {
    override suspend fun receive(): Frame = ending { frames.receive() }.also(received)

    override suspend fun receiveCatching(): ChannelResult<Frame> = frames.receiveCatching().also(::taken)

    override fun tryReceive(): ChannelResult<Frame> = frames.tryReceive().also(::taken)

    override fun iterator(): ChannelIterator<Frame> = object : ChannelIterator<Frame> {
        private val inner = frames.iterator()

        override suspend fun hasNext(): Boolean = ending { inner.hasNext() }.also { if (!it) reachedEnd() }

        override fun next(): Frame = inner.next().also(received)
    }

    private fun taken(result: ChannelResult<Frame>) {
        result.getOrNull()?.let(received)
        if (result.isClosed) reachedEnd()
    }

    /** Runs a receive; reports the end if it finds the channel closed. */
    private inline fun <T> ending(receive: () -> T): T =
        try {
            receive()
        } catch (failure: WebSocketException) {
            reachedEnd()
            throw failure
        } catch (closed: ClosedReceiveChannelException) {
            reachedEnd()
            throw closed
        }
}
