// Reaches for: uniffiEnsureUniwsInitialized
import Foundation
import UniWS

func probe() { uniffiEnsureUniwsInitialized() }
