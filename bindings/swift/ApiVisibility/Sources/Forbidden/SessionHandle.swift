// Reaches for: let ffi: FfiSession
import Foundation
import UniWS

func probeSessionHandle(_ session: ClientWebSocketSession) { _ = session.ffi }
