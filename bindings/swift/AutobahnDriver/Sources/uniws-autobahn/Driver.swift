import Foundation
import UniWS

/// Runs every Autobahn case: echoes each message until the session ends, and lets the session go
/// as soon as iterating it throws, as application code does. `AUTOBAHN_URL` and `AGENT` come from
/// the suite's `run-client.sh`.
@main
struct Driver {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["AUTOBAHN_URL"] ?? "ws://127.0.0.1:9001"
        let agent = environment["AGENT"] ?? "uniws-swift"
        let client = WebSocketClient()

        let countSession = try await client.webSocketSession("\(base)/getCaseCount")
        guard case .text(let text) = try await countSession.receive(), let count = Int(text) else {
            fatalError("getCaseCount did not answer with a number")
        }
        _ = await countSession.closeReason()
        log("running \(count) cases as agent \(agent)")

        for index in 1...count {
            let ended: String
            do {
                try await echo(client, url: "\(base)/runCase?case=\(index)&agent=\(agent)")
                ended = "closed"
            } catch {
                ended = "\(error)"
            }
            if index % 50 == 0 || index == count {
                log("case \(index)/\(count) done (ended with: \(ended))")
            }
        }

        let reports = try await client.webSocketSession("\(base)/updateReports?agent=\(agent)")
        _ = await reports.closeReason()
        log("reports updated")
    }

    /// Echoes every message of one case; the session is released when this returns or throws.
    static func echo(_ client: WebSocketClient, url: String) async throws {
        let session = try await client.webSocketSession(url)
        for try await frame in session.incoming {
            try await session.send(frame: frame)
        }
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
