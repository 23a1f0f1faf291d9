import Foundation
import ZIPFoundation

/// One member of a zip archive, as its central directory describes it.
struct ZipMember: Sendable {
    var name: String
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
}

/// A bounds-checked reader of the zip container around an `.npz`.
///
/// Why not `ZIPFoundation.Archive` for reading: on Linux its inflate loop ignores the compressed size and spins
/// forever when a deflate stream runs out before its end marker, and it converts ZIP64 offsets taken from the file
/// to `off_t`/`Int64` with trapping conversions. Trace files are untrusted input that must never hang or crash the
/// simulator, so the container (end-of-central-directory record, ZIP64 records, central directory, local
/// headers) is walked here with checked arithmetic, and ZIPFoundation is used for what it does safely: inflating
/// (zlib, fed only the member's compressed bytes) and CRC-32. Tests write archives with `ZIPFoundation.Archive`.
struct ZipContainer: Sendable {
    let file: String
    let bytes: [UInt8]
    let members: [ZipMember]

    init(bytes: [UInt8], file: String) throws(TraceError) {
        self.file = file
        self.bytes = bytes
        self.members = try ZipContainer.readDirectory(bytes, file: file)
    }

    // MARK: Little-endian field access; nil when out of range

    static func u16(_ b: [UInt8], _ at: Int) -> UInt16? {
        guard at >= 0, at <= b.count - 2 else { return nil }
        return UInt16(b[at]) | UInt16(b[at + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32? {
        guard at >= 0, at <= b.count - 4 else { return nil }
        return UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    static func u64(_ b: [UInt8], _ at: Int) -> UInt64? {
        guard let lo = u32(b, at), let hi = u32(b, at + 4) else { return nil }
        return UInt64(lo) | UInt64(hi) << 32
    }

    static let eocdSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64EOCDSignature: UInt32 = 0x0606_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50

    // MARK: Central directory

    static func readDirectory(_ b: [UInt8], file: String) throws(TraceError) -> [ZipMember] {
        func bad(_ what: String) -> TraceError { TraceError(file: file, "corrupt zip archive: \(what)") }

        // End of central directory: 22 bytes + a comment of up to 65 535 bytes, at the end of the file.
        guard b.count >= 22 else {
            throw TraceError(file: file, "not a zip archive (\(b.count) bytes; an .npz is a zip file)")
        }
        var eocd = -1
        var pos = b.count - 22
        let lowest = max(0, b.count - 22 - 0xFFFF)
        while pos >= lowest {
            if u32(b, pos) == eocdSignature, let commentLength = u16(b, pos + 20),
               pos + 22 + Int(commentLength) <= b.count {
                eocd = pos
                break
            }
            pos -= 1
        }
        guard eocd >= 0 else {
            throw TraceError(file: file, "not a zip archive (no end-of-central-directory record; an .npz is a zip file)")
        }
        guard var entryCount = u16(b, eocd + 10).map(UInt64.init),
              var directorySize = u32(b, eocd + 12).map(UInt64.init),
              var directoryOffset = u32(b, eocd + 16).map(UInt64.init) else {
            throw bad("truncated end-of-central-directory record")
        }
        // ZIP64 end of central directory, located through the locator just before the classic record.
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
           eocd >= 20, u32(b, eocd - 20) == zip64LocatorSignature {
            guard let recordOffset64 = u64(b, eocd - 20 + 8), let recordOffset = Int(exactly: recordOffset64),
                  u32(b, recordOffset) == zip64EOCDSignature,
                  let count64 = u64(b, recordOffset + 32), let size64 = u64(b, recordOffset + 40),
                  let offset64 = u64(b, recordOffset + 48) else {
                throw bad("bad ZIP64 end-of-central-directory record")
            }
            entryCount = count64
            directorySize = size64
            directoryOffset = offset64
        }
        guard let start = Int(exactly: directoryOffset), start <= b.count,
              directorySize <= UInt64(b.count - start) else {
            throw bad("central directory (offset \(directoryOffset), size \(directorySize)) lies outside the "
                      + "\(b.count)-byte file")
        }
        // Each entry takes at least 46 bytes: a count beyond that is a lie, and bounds the loop below.
        guard entryCount <= directorySize / 46 else {
            throw bad("central directory of \(directorySize) bytes cannot hold \(entryCount) entries")
        }

        var members: [ZipMember] = []
        members.reserveCapacity(Int(entryCount))
        var p = start
        let end = start + Int(directorySize)
        for index in 0..<Int(entryCount) {
            guard p <= end - 46, u32(b, p) == centralSignature,
                  let flags = u16(b, p + 8), let method = u16(b, p + 10), let crc = u32(b, p + 16),
                  let csize32 = u32(b, p + 20), let usize32 = u32(b, p + 24),
                  let nameLength = u16(b, p + 28), let extraLength = u16(b, p + 30),
                  let commentLength = u16(b, p + 32), let offset32 = u32(b, p + 42) else {
                throw bad("central directory entry \(index) is damaged")
            }
            let nameStart = p + 46
            let extraStart = nameStart + Int(nameLength)
            let extraEnd = extraStart + Int(extraLength)
            let next = extraEnd + Int(commentLength)
            guard next <= end else { throw bad("central directory entry \(index) overruns the directory") }
            let name = String(decoding: b[nameStart..<extraStart], as: UTF8.self)

            var csize = UInt64(csize32), usize = UInt64(usize32), offset = UInt64(offset32)
            if usize32 == 0xFFFF_FFFF || csize32 == 0xFFFF_FFFF || offset32 == 0xFFFF_FFFF {
                // ZIP64 extended information (extra field 0x0001): the 8-byte values replace, in this order,
                // those of the 4-byte fields that hold 0xFFFFFFFF.
                var q = extraStart
                var found = false
                while q <= extraEnd - 4, let id = u16(b, q), let size = u16(b, q + 2) {
                    let dataStart = q + 4
                    let dataEnd = dataStart + Int(size)
                    guard dataEnd <= extraEnd else { throw bad("extra field of entry '\(name)' overruns") }
                    if id == 0x0001 {
                        var r = dataStart
                        func take() throws(TraceError) -> UInt64 {
                            guard r <= dataEnd - 8, let v = u64(b, r) else {
                                throw bad("short ZIP64 extra field in entry '\(name)'")
                            }
                            r += 8
                            return v
                        }
                        if usize32 == 0xFFFF_FFFF { usize = try take() }
                        if csize32 == 0xFFFF_FFFF { csize = try take() }
                        if offset32 == 0xFFFF_FFFF { offset = try take() }
                        found = true
                        break
                    }
                    q = dataEnd
                }
                guard found else { throw bad("entry '\(name)' has 0xFFFFFFFF sizes but no ZIP64 extra field") }
            }
            members.append(ZipMember(name: name, flags: flags, method: method, crc32: crc, compressedSize: csize,
                                     uncompressedSize: usize, localHeaderOffset: offset))
            p = next
        }
        return members
    }

    // MARK: Extraction

    struct InflateInputExhausted: Error {}
    struct OutputTooLarge: Error {}

    /// The member's bytes, inflated if needed and checked against the CRC-32 and sizes in the directory.
    /// - Parameter array: the array name used in error messages.
    func extract(_ member: ZipMember, array: String, maxBytes: Int) throws(TraceError) -> [UInt8] {
        let ctx = ArrayContext(file: file, array: array)
        let b = bytes
        func bad(_ what: String) -> TraceError { ctx.error("corrupt zip entry '\(member.name)': \(what)") }

        guard member.flags & 0x0001 == 0 else { throw ctx.error("zip entry '\(member.name)' is encrypted") }
        guard member.uncompressedSize <= UInt64(maxBytes) else {
            throw ctx.error("zip entry '\(member.name)' declares \(member.uncompressedSize) bytes uncompressed, "
                            + "more than the limit of \(maxBytes) bytes")
        }
        guard let headerOffset = Int(exactly: member.localHeaderOffset), u32(b, headerOffset) == ZipContainer.localSignature,
              let nameLength = ZipContainer.u16(b, headerOffset + 26),
              let extraLength = ZipContainer.u16(b, headerOffset + 28) else {
            throw bad("no local header at offset \(member.localHeaderOffset)")
        }
        let dataStart = headerOffset + 30 + Int(nameLength) + Int(extraLength)
        guard dataStart <= b.count, member.compressedSize <= UInt64(b.count - dataStart) else {
            throw bad("\(member.compressedSize) bytes of data at offset \(dataStart) run past the end of the "
                      + "\(b.count)-byte file")
        }
        let compressedSize = Int(member.compressedSize)
        let expected = Int(member.uncompressedSize)
        let output: [UInt8]
        switch member.method {
        case 0:  // stored
            guard member.compressedSize == member.uncompressedSize else {
                throw bad("stored entry with different sizes (\(member.compressedSize) and \(member.uncompressedSize))")
            }
            output = Array(b[dataStart..<(dataStart + compressedSize)])
        case 8:  // deflated
            output = try inflate(b, from: dataStart, count: compressedSize, expected: expected, bad: bad)
        default:
            throw ctx.error("zip entry '\(member.name)' uses unsupported compression method \(member.method) "
                            + "(expected stored or deflated)")
        }
        let crc = output.withUnsafeBufferPointer { Data(buffer: $0) }.crc32(checksum: 0)
        guard crc == member.crc32 else {
            throw bad(String(format: "CRC-32 mismatch (directory 0x%08x, data 0x%08x)", member.crc32, crc))
        }
        return output
    }

    private func inflate(_ b: [UInt8], from dataStart: Int, count compressedSize: Int, expected: Int,
                         bad: (String) -> TraceError) throws(TraceError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(expected)
        var consumed = 0
        #if canImport(Compression)
        // Apple: ZIPFoundation asks for exactly the bytes it will use; hand them over in 64 KiB chunks.
        let bufferSize = 1 << 16
        #else
        // zlib path: ZIPFoundation ignores the compressed size, tells inflate that every chunk holds `bufferSize`
        // bytes, and calls the provider again until the stream's end marker. So the whole compressed member is
        // handed over as one chunk of exactly `bufferSize` bytes, and asking for more throws: inflate never reads
        // past the member, and a stream without an end marker is an error instead of an endless loop. Output comes
        // in chunks of the same size; deflate expands at most ~1032:1, so that is at most ~1033 chunks.
        let bufferSize = max(compressedSize, 1)
        #endif
        do {
            _ = try Data.decompress(size: Int64(compressedSize), bufferSize: bufferSize, skipCRC32: true,
                                    provider: { _, requested in
                let n = min(requested, compressedSize - consumed)
                guard n > 0 || requested == 0 else { throw InflateInputExhausted() }
                let chunk = Data(b[(dataStart + consumed)..<(dataStart + consumed + n)])
                consumed += n
                return chunk
            }, consumer: { data in
                guard data.count <= expected - output.count else { throw OutputTooLarge() }
                output.append(contentsOf: data)
            })
        } catch is InflateInputExhausted {
            throw bad("deflate stream is truncated or corrupt (no end marker within \(compressedSize) bytes)")
        } catch is OutputTooLarge {
            throw bad("inflates to more than the \(expected) bytes the directory declares")
        } catch {
            throw bad("corrupt deflate data")
        }
        guard output.count == expected else {
            throw bad("inflates to \(output.count) bytes, the directory declares \(expected)")
        }
        return output
    }
}

extension ZipContainer {
    fileprivate func u32(_ b: [UInt8], _ at: Int) -> UInt32? { ZipContainer.u32(b, at) }
}
