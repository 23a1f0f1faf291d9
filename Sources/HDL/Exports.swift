// Width helpers (`bitsToHold`, `ceilLog2`) live in Basics; every generator that imports HDL uses them.
@_exported import Basics
