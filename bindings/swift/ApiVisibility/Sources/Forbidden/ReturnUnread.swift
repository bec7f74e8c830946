// Reaches for: returnUnread
import Foundation
import UniWS

func probe(_ session: FfiSession) { session.returnUnread(frames: []) }
