// Reaches for: CancellationToken
import Foundation
import UniWS

func probeCancellationTokens() { CancellationToken().cancel() }
