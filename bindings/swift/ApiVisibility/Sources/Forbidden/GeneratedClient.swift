// Reaches for: FfiClient
import Foundation
import UniWS

func probe() { _ = FfiClient(config: WebSocketConfig()) }
