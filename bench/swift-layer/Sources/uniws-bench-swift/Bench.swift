import UniWS

/// The payload sizes measured.
let sizes = [32, 1 << 10, 64 << 10, 1 << 20]

/// Runs bench-rust's workloads in its order: per size an unreported warm-up round, then
/// `--repeat` rounds (3; 1 with `--quick`) of latency then throughput, each printing its own line
/// (the report takes the median round), then handshakes.
@main
struct Bench {
    static func main() async {
        let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
        do {
            try await run(options)
        } catch {
            fail("\(error)")
        }
    }

    static func run(_ options: Options) async throws {
        let ws = "ws://127.0.0.1:\(options.ws)/bench"
        let wss = "wss://127.0.0.1:\(options.wss)/bench"
        let client = WebSocketClient(config: benchConfig(caPath: options.ca))
        let scale = options.quick ? 20 : 1
        for size in sizes where options.onlySize == nil || options.onlySize == size {
            let rounds = (size >= 1 << 20 ? 200 : 2_000) / scale
            let count: Int
            switch size {
            case 32: count = 200_000
            case 1024: count = 100_000
            case 65536: count = 4_000
            default: count = 300
            }
            for round in 0...options.repeatCount {
                let report = round > 0
                try await latency(client, url: ws, size: size, rounds: rounds, report: report)
                try await throughput(client, url: ws, size: size, count: count / scale, report: report)
                try await throughputOnMainActor(client, url: ws, size: size, count: count / scale, report: report)
            }
        }
        if options.onlySize != nil { return }
        let rounds = 200 / scale
        try await handshakes(client, url: ws, rounds: rounds)
        try await handshakes(client, url: wss, rounds: rounds)
    }
}
