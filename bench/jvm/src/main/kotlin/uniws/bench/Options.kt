package uniws.bench

/**
 * The command line, as the Rust bench takes it:
 *
 * ```text
 * --ws PORT --wss PORT --ca CA.pem [--quick]          latency, throughput, handshakes
 * --memory CONTENDER --ws PORT [--quick]              resident memory per idle session
 * ```
 *
 * `--only SIZE` and `--contender NAME` narrow a run (for profiling).
 */
class Options(
    val ws: Int,
    val wss: Int,
    val ca: String?,
    val quick: Boolean,
    val memory: String?,
    val onlySize: Int?,
    val onlyContender: String?,
) {
    /** Rounds and counts are divided by this: 20 with `--quick`. */
    val scale: Int get() = if (quick) 20 else 1

    val wsUrl: String get() = "ws://127.0.0.1:$ws/bench"
    val wssUrl: String get() = "wss://127.0.0.1:$wss/bench"

    companion object {
        const val USAGE: String = "usage: --ws PORT --wss PORT --ca PEM [--quick] [--only SIZE] [--contender NAME]\n" +
            "       --memory uniws-kotlin|ktor-cio|okhttp --ws PORT [--quick]"

        fun parse(args: Array<String>): Options {
            var ws = 0
            var wss = 0
            var ca: String? = null
            var quick = false
            var memory: String? = null
            var onlySize: Int? = null
            var onlyContender: String? = null
            val arguments = args.iterator()
            fun value(flag: String): String {
                require(arguments.hasNext()) { "$flag needs a value" }
                return arguments.next()
            }
            fun number(flag: String): Int = value(flag).toIntOrNull() ?: throw IllegalArgumentException("$flag needs a number")
            while (arguments.hasNext()) {
                when (val argument = arguments.next()) {
                    "--ws" -> ws = number(argument)
                    "--wss" -> wss = number(argument)
                    "--ca" -> ca = value(argument)
                    "--quick" -> quick = true
                    "--memory" -> memory = value(argument)
                    "--only" -> onlySize = number(argument)
                    "--contender" -> onlyContender = value(argument)
                    else -> throw IllegalArgumentException("unknown argument $argument")
                }
            }
            require(ws > 0) { "--ws is required" }
            if (memory != null) {
                require(memory in CONTENDER_NAMES) { "--memory takes one of ${CONTENDER_NAMES.joinToString()}" }
            } else {
                require(wss > 0 && ca != null) { "--wss and --ca are required" }
            }
            require(onlyContender == null || onlyContender in CONTENDER_NAMES) {
                "--contender takes one of ${CONTENDER_NAMES.joinToString()}"
            }
            return Options(ws, wss, ca, quick, memory, onlySize, onlyContender)
        }
    }
}
