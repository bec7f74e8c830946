package uniws.bench

import java.util.Locale

/**
 * The result lines: one JSON object per line on stdout, with the fields, order and number formats
 * of the Rust bench (bench/src/bin/rust_contenders.rs). Nothing else goes to stdout.
 */
object Report {
    fun latency(contender: String, size: Int, rounds: Int, sortedNanos: LongArray) = line(
        """{"contender":"$contender","workload":"latency","size":$size,"rounds":$rounds,""" +
            """"p50_us":${fixed(percentileMicros(sortedNanos, 0.50), 1)},"p99_us":${fixed(percentileMicros(sortedNanos, 0.99), 1)}}""",
    )

    fun throughput(contender: String, size: Int, count: Int, window: Int, seconds: Double) = line(
        """{"contender":"$contender","workload":"throughput","size":$size,"count":$count,"window":$window,""" +
            """"msgs_per_s":${fixed(count / seconds, 0)},"mb_per_s":${fixed(count.toDouble() * size / seconds / 1e6, 2)}}""",
    )

    fun handshake(contender: String, scheme: String, rounds: Int, sortedNanos: LongArray) = line(
        """{"contender":"$contender","workload":"handshake_$scheme","rounds":$rounds,""" +
            """"p50_us":${fixed(percentileMicros(sortedNanos, 0.50), 1)},"p99_us":${fixed(percentileMicros(sortedNanos, 0.99), 1)}}""",
    )

    fun idleMemory(contender: String, sessions: Int, bytesPerSession: Long) = line(
        """{"contender":"$contender","workload":"idle_memory","sessions":$sessions,"bytes_per_session":$bytesPerSession}""",
    )

    /** A workload that failed in a library other than uniws (see `step`). */
    fun failure(contender: String, workload: String, size: Int?, error: String) {
        val sizeField = size?.let { "\"size\":$it," } ?: ""
        val message = error.replace('"', '\'').replace('\\', '/').take(200)
        line("""{"contender":"$contender","workload":"$workload",$sizeField"error":"$message"}""")
    }

    /** The sample at `round((n - 1) * fraction)` of sorted samples, in microseconds, as the Rust bench picks it. */
    fun percentileMicros(sortedNanos: LongArray, fraction: Double): Double =
        sortedNanos[Math.round((sortedNanos.size - 1) * fraction).toInt()] / 1e3

    private fun fixed(value: Double, decimals: Int): String = String.format(Locale.ROOT, "%.${decimals}f", value)

    private fun line(json: String) {
        System.out.println(json)
        System.out.flush()
    }
}

/** Progress and diagnostics, on stderr. */
fun log(message: String) = System.err.println("[uniws-bench-jvm] $message")
