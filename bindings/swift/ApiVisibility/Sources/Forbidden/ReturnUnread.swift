// Reaches for: returnUnread
import Foundation
import UniWS

func probeReturnUnread(_ session: FfiSession) { session.returnUnread(frames: []) }
