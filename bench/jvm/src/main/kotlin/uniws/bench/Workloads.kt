package uniws.bench

import kotlin.time.Duration.Companion.minutes
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.withTimeout

/** The payload sizes measured. */
val SIZES: IntArray = intArrayOf(32, 1 shl 10, 64 shl 10, 1 shl 20)

/** Messages in flight in the throughput workload. */
const val WINDOW: Int = 32

/** How many round trips the latency workload measures at [size]. */
fun latencyRounds(size: Int, scale: Int): Int = (if (size >= 1 shl 20) 200 else 2_000) / scale

/** How many messages the throughput workload sends at [size]. */
fun throughputCount(size: Int, scale: Int): Int = when (size) {
    32 -> 200_000
    1024 -> 100_000
    65536 -> 4_000
    else -> 300
} / scale

/** How many sessions each handshake workload opens. */
fun handshakeRounds(scale: Int): Int = 200 / scale

/** How long one workload may take before the run fails instead of hanging. */
private val STEP_LIMIT = 10.minutes

/**
 * Runs one workload of [contender], named on stderr, failing it if it takes longer than
 * [STEP_LIMIT]. A failure of uniws fails the run; a failure of another library (Ktor CIO has
 * crashed inside kotlinx-io during TLS handshakes here) is reported as a figure with an `error`
 * and the run goes on, so one library's bug does not hide the others' figures. Warm-up steps
 * ([print] false) report nothing.
 */
suspend fun step(contender: String, workload: String, size: Int?, print: Boolean = true, block: suspend () -> Unit) {
    log("$contender $workload${size?.let { " $it" } ?: ""}")
    try {
        withTimeout(STEP_LIMIT) { block() }
    } catch (failure: Throwable) {
        val described = if (failure is TimeoutCancellationException) {
            IllegalStateException("did not finish within $STEP_LIMIT", failure)
        } else {
            failure
        }
        if (contender == UniwsContender.NAME) throw described
        log("$contender $workload failed: $described")
        if (print) Report.failure(contender, workload, size, described.toString())
    }
}

/** A fresh payload for each message, as the Rust bench allocates one (`vec![byte; size]`). */
private fun payload(size: Int, byte: Byte): ByteArray = ByteArray(size).also { it.fill(byte) }

/**
 * One message in flight: [rounds] / 10 unmeasured round trips, then [rounds] measured ones (send
 * to echo received). Prints the median and 99th percentile when [print] is set.
 */
suspend fun latency(contender: Contender, url: String, size: Int, rounds: Int, print: Boolean = true) {
    val connection = contender.open(url)
    repeat(rounds / 10) {
        connection.send(payload(size, 1))
        expectSize(contender.name, connection.receive(), size)
    }
    val samples = LongArray(rounds)
    for (round in 0 until rounds) {
        val started = System.nanoTime()
        connection.send(payload(size, 1))
        expectSize(contender.name, connection.receive(), size)
        samples[round] = System.nanoTime() - started
    }
    samples.sort()
    if (print) Report.latency(contender.name, size, rounds, samples)
    connection.close()
}

/**
 * [WINDOW] messages in flight: a sender coroutine takes a permit per message, the receiving loop
 * gives one back per echo. Measured from the first send to the last echo.
 */
suspend fun throughput(contender: Contender, url: String, size: Int, count: Int, print: Boolean = true) {
    val connection = contender.open(url)
    val window = Semaphore(WINDOW)
    val elapsed = coroutineScope {
        val started = System.nanoTime()
        val sender = launch {
            repeat(count) {
                window.acquire()
                connection.send(payload(size, 7))
            }
        }
        repeat(count) {
            expectSize(contender.name, connection.receive(), size)
            window.release()
        }
        val elapsed = (System.nanoTime() - started) / 1e9
        sender.join()
        elapsed
    }
    if (print) Report.throughput(contender.name, size, count, WINDOW, elapsed)
    connection.close()
}

/** Opens and closes [rounds] sessions to [url]; measures the opening (TCP, TLS for wss, upgrade). */
suspend fun handshakes(contender: Contender, url: String, rounds: Int, print: Boolean = true) {
    val samples = LongArray(rounds)
    for (round in 0 until rounds) {
        val started = System.nanoTime()
        val connection = contender.open(url)
        samples[round] = System.nanoTime() - started
        connection.close()
    }
    samples.sort()
    if (print) Report.handshake(contender.name, url.substringBefore(':'), rounds, samples)
}

/**
 * Runs each code path of [contender] long enough for the JIT to compile it, printing nothing:
 * latency and throughput at 32 B and 64 KiB, and ws:// and wss:// handshakes.
 */
suspend fun warmUp(contender: Contender, ws: String, wss: String, scale: Int) {
    val name = "${contender.name} warm-up"
    step(name, "latency", 32, print = false) { latency(contender, ws, 32, 2_000 / scale, print = false) }
    step(name, "throughput", 32, print = false) { throughput(contender, ws, 32, 50_000 / scale, print = false) }
    step(name, "throughput", 65536, print = false) { throughput(contender, ws, 64 shl 10, 2_000 / scale, print = false) }
    step(name, "handshake_ws", null, print = false) { handshakes(contender, ws, maxOf(1, 50 / scale), print = false) }
    step(name, "handshake_wss", null, print = false) { handshakes(contender, wss, maxOf(1, 50 / scale), print = false) }
}
