// The golden model's widths (`bitsToHold`) and its seeded generator (`SplitMix64`) live in Basics.
@_exported import Basics
