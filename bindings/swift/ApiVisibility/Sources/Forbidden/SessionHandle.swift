// Reaches for: let ffi: FfiSession
import Foundation
import UniWS

func probe(_ session: ClientWebSocketSession) { _ = session.ffi }
