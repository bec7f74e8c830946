// Reaches for: uniffiEnsureUniwsInitialized
import Foundation
import UniWS

func probeInitialization() { uniffiEnsureUniwsInitialized() }
