// Reaches for: FfiClient
import Foundation
import UniWS

func probeGeneratedClient() { _ = FfiClient(config: WebSocketConfig()) }
