// Reaches for: CancellationToken
import Foundation
import UniWS

func probe() { CancellationToken().cancel() }
