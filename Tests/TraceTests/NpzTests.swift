import Foundation
import Trace
import XCTest
import ZIPFoundation

final class NpzTests: XCTestCase {
    let members = Members(list: [
        ("x", NpyWriter.encode(floats: [1, -2.5, .infinity], shape: [3], as: .float16)),
        ("ids", NpyWriter.encode(ints: [5, -6, 7, 8], shape: [2, 2], as: .int32)),
        ("u", NpyWriter.encode(uint32s: [0xFFFF_FFFF, 0], shape: [2])),
    ])

    func testStoredAndDeflatedArchives() throws {
        for compressed in [false, true] {
            let bytes = try members.archive(compressed: compressed)
            let npz = try NpzArchive(bytes: bytes, file: "m.npz")
            XCTAssertEqual(npz.arrayNames, ["x", "ids", "u"])
            XCTAssertTrue(npz.contains("ids"))
            XCTAssertFalse(npz.contains("y"))
            XCTAssertEqual(try npz.array("x").floats(), [1, -2.5, .infinity])
            XCTAssertEqual(try npz.array("ids").intRow(1), [7, 8])
            XCTAssertEqual(try npz.array("u").uint32s(), [0xFFFF_FFFF, 0])
            XCTAssertNil(try npz.arrayIfPresent("y"))
            XCTAssertEqual(try npz.array("x").name, "x")
            XCTAssertEqual(try npz.array("x").file, "m.npz")
        }
        // The two methods really differ on disk.
        let stored = try members.archive(compressed: false)
        let deflated = try members.archive(compressed: true)
        let methods = { (b: [UInt8]) in ZipPatch.centralEntries(b).map { Int(b[$0 + 10]) } }
        XCTAssertEqual(methods(stored), [0, 0, 0])
        XCTAssertEqual(methods(deflated), [8, 8, 8])
    }

    /// Archives written by numpy itself (savez and savez_compressed, with Python's ZIP64 local headers).
    func testArchivesWrittenByNumpy() throws {
        for (label, bytes) in [("savez", NumpyFixtures.savez), ("savez_compressed", NumpyFixtures.savezCompressed)] {
            XCTAssertGreaterThan(bytes.count, 1000, label)
            let npz = try NpzArchive(bytes: bytes, file: label)
            XCTAssertEqual(npz.arrayNames, ["target_logits", "draft_tokens", "gamma", "draft_logits", "uniforms",
                                            "accepted", "next_token", "prompt"], label)
            let t = try npz.array("target_logits")
            XCTAssertEqual(t.dtype, .float16)
            XCTAssertEqual(t.shape, [2, 3, 5])
            let expectedBits: [UInt16] = [14336, 48128, 16384, 0, 32768, 15360, 16384, 16896, 17408, 17664,
                                          31743, 64511, 1023, 1, 31744, 64512, 0, 15360, 16384, 16896,
                                          16896, 16384, 15360, 0, 48128, 11878, 12902, 13517, 13926, 14336]
            XCTAssertEqual(try t.floats().map(\.bitPattern), expectedBits.map { float16BitsToFloat($0).bitPattern })
            XCTAssertEqual(try npz.array("draft_tokens").ints(), [2, 4, 1, 0])
            XCTAssertEqual(try npz.array("gamma").dtype, .int64)
            XCTAssertEqual(try npz.array("accepted").dtype, .int32)
            XCTAssertEqual(try npz.array("uniforms").uint32s(), [0, 1, 4_294_967_295, 123_456_789, 2, 3])
            let draft = try npz.array("draft_logits")
            XCTAssertEqual(draft.dtype, .float32)
            XCTAssertEqual(try draft.floatRow(0, 0).map(\.bitPattern),
                           [0, 1_041_385_765, 1_049_774_373, 1_054_567_863, 1_058_162_981])
        }
    }

    func testNonNpyMembersAreIgnored() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let text = Data("hello".utf8)
        try archive.addEntry(with: "README.txt", type: .file, uncompressedSize: Int64(text.count),
                             provider: { p, n in text.subdata(in: Int(p)..<(Int(p) + n)) })
        let npy = Data(NpyWriter.encode(ints: [1], shape: [1], as: .int32))
        try archive.addEntry(with: "a.npy", type: .file, uncompressedSize: Int64(npy.count), compressionMethod: .deflate,
                             provider: { p, n in npy.subdata(in: Int(p)..<(Int(p) + n)) })
        let npz = try NpzArchive(bytes: [UInt8](try XCTUnwrap(archive.data)), file: "mixed.npz")
        XCTAssertEqual(npz.arrayNames, ["a"])
        XCTAssertEqual(try npz.array("a").ints(), [1])
    }

    func testMissingArray() throws {
        let npz = try NpzArchive(bytes: try members.archive(), file: "m.npz")
        let error = assertTraceError(["m.npz: array 'gamma': missing from the archive (arrays present: 'x', 'ids', 'u')"]) {
            try npz.array("gamma")
        }
        XCTAssertEqual(error?.file, "m.npz")
        XCTAssertEqual(error?.array, "gamma")
    }

    func testNotAnArchive() {
        assertTraceError(["junk.npz: not a zip archive (5 bytes"]) { try NpzArchive(bytes: [1, 2, 3, 4, 5], file: "junk.npz") }
        assertTraceError(["junk.npz: not a zip archive (no end-of-central-directory record"]) {
            try NpzArchive(bytes: [UInt8](repeating: 0x41, count: 1000), file: "junk.npz")
        }
        assertTraceError(["one.npz: is a single .npy array, expected an .npz archive"]) {
            try NpzArchive(bytes: NpyWriter.encode(ints: [1], shape: [1]), file: "one.npz")
        }
        assertTraceError(["empty.npz: not a zip archive (0 bytes"]) { try NpzArchive(bytes: [], file: "empty.npz") }
    }

    func testFiles() throws {
        let path = temporaryPath("members.npz")
        try NpzWriter.write(members.list, to: path)
        let npz = try NpzArchive(contentsOf: path)
        XCTAssertEqual(npz.file, path)
        XCTAssertEqual(try npz.array("ids").ints(), [5, -6, 7, 8])
        assertTraceError(["\(path): array 'nope': missing"]) { try npz.array("nope") }
        assertTraceError(["/no/such/dir/t.npz: cannot read file: no such file"]) {
            try NpzArchive(contentsOf: "/no/such/dir/t.npz")
        }
        assertTraceError(["cannot read file"]) { try NpzArchive(contentsOf: NSTemporaryDirectory()) }
    }

    func testCRCMismatch() throws {
        var bytes = try members.archive(compressed: false)
        let local = ZipPatch.localHeaders(bytes)[1]  // member 'ids'
        let nameLength = Int(bytes[local + 26]) | Int(bytes[local + 27]) << 8
        let extraLength = Int(bytes[local + 28]) | Int(bytes[local + 29]) << 8
        bytes[local + 30 + nameLength + extraLength + 130] ^= 0x01  // an element byte
        let npz = try NpzArchive(bytes: bytes, file: "m.npz")
        assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy': CRC-32 mismatch"]) { try npz.array("ids") }
        XCTAssertEqual(try npz.array("x").floats().count, 3, "other members stay readable")
    }

    func testEntryLargerThanTheLimit() throws {
        let bytes = try members.archive(compressed: true)
        let npz = try NpzArchive(bytes: bytes, file: "m.npz", maxEntryBytes: 100)
        assertTraceError(["m.npz: array 'x': zip entry 'x.npy' declares 134 bytes uncompressed, more than the limit "
                          + "of 100 bytes"]) { try npz.array("x") }
        // A directory that claims 3 GiB is refused with the default limit, before any inflating.
        var huge = bytes
        let cd = try XCTUnwrap(ZipPatch.centralEntry(named: "x.npy", in: huge))
        ZipPatch.write32(&huge, cd + 24, 3 << 30)
        assertTraceError(["m.npz: array 'x': zip entry 'x.npy' declares 3221225472 bytes uncompressed, more than the "
                          + "limit of 2147483648 bytes"]) { try NpzArchive(bytes: huge, file: "m.npz").array("x") }
    }

    /// A deflate stream that inflates to more than the directory says (a zip bomb's lie) stops early.
    func testInflatingPastTheDeclaredSize() throws {
        let big = Members(list: [("z", NpyWriter.encode(floats: [Float](repeating: 0, count: 200_000), shape: [200_000]))])
        var bytes = try big.archive(compressed: true)
        XCTAssertLessThan(bytes.count, 10_000, "zeros compress well")
        let cd = try XCTUnwrap(ZipPatch.centralEntry(named: "z.npy", in: bytes))
        ZipPatch.write32(&bytes, cd + 24, 1000)
        assertTraceError(["m.npz: array 'z': corrupt zip entry 'z.npy': inflates to more than the 1000 bytes the "
                          + "directory declares"]) { try NpzArchive(bytes: bytes, file: "m.npz").array("z") }
    }

    func testTruncatedAndCorruptDeflateStreams() throws {
        let bytes = try members.archive(compressed: true)
        let cd = try XCTUnwrap(ZipPatch.centralEntry(named: "ids.npy", in: bytes))
        let csize = ZipPatch.read32(bytes, cd + 20)
        for cut: UInt32 in [1, 2, csize / 2, csize - 1] {
            var short = bytes
            ZipPatch.write32(&short, cd + 20, cut)
            assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy': deflate stream is truncated"]) {
                try NpzArchive(bytes: short, file: "m.npz").array("ids")
            }
        }
        var zero = bytes
        ZipPatch.write32(&zero, cd + 20, 0)
        assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy': deflate stream is truncated"]) {
            try NpzArchive(bytes: zero, file: "m.npz").array("ids")
        }
        // Garbage instead of deflate data.
        var garbage = bytes
        let local = ZipPatch.localHeaders(garbage)[1]
        let start = local + 30 + Int(garbage[local + 26]) + Int(garbage[local + 28])
        for i in 0..<Int(csize) { garbage[start + i] = 0xFF }
        assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy'"]) {
            try NpzArchive(bytes: garbage, file: "m.npz").array("ids")
        }
    }

    func testUnsupportedMethodAndEncryption() throws {
        var bytes = try members.archive(compressed: true)
        let cd = try XCTUnwrap(ZipPatch.centralEntry(named: "u.npy", in: bytes))
        ZipPatch.write16(&bytes, cd + 10, 12)
        assertTraceError(["m.npz: array 'u': zip entry 'u.npy' uses unsupported compression method 12"]) {
            try NpzArchive(bytes: bytes, file: "m.npz").array("u")
        }
        ZipPatch.write16(&bytes, cd + 8, 1)
        assertTraceError(["m.npz: array 'u': zip entry 'u.npy' is encrypted"]) {
            try NpzArchive(bytes: bytes, file: "m.npz").array("u")
        }
    }

    func testDamagedDirectory() throws {
        let bytes = try members.archive(compressed: false)
        let eocd = try XCTUnwrap(ZipPatch.offsets(of: 0x0605_4B50, in: bytes).last)
        var moved = bytes
        ZipPatch.write32(&moved, eocd + 16, 0x7FFF_0000)
        assertTraceError(["m.npz: corrupt zip archive: central directory (offset 2147418112"]) {
            try NpzArchive(bytes: moved, file: "m.npz")
        }
        var many = bytes
        ZipPatch.write16(&many, eocd + 10, 0xFFFE)
        assertTraceError(["m.npz: corrupt zip archive: central directory of"]) { try NpzArchive(bytes: many, file: "m.npz") }
        var broken = bytes
        let cd = ZipPatch.centralEntries(broken)[1]
        broken[cd] = 0
        assertTraceError(["m.npz: corrupt zip archive: central directory entry 1 is damaged"]) {
            try NpzArchive(bytes: broken, file: "m.npz")
        }
        var badLocal = bytes
        ZipPatch.write32(&badLocal, cd + 42, 3)
        assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy': no local header at offset 3"]) {
            try NpzArchive(bytes: badLocal, file: "m.npz").array("ids")
        }
        var longData = bytes
        ZipPatch.write32(&longData, cd + 20, 0x00FF_FFFF)
        ZipPatch.write32(&longData, cd + 24, 0x00FF_FFFF)
        assertTraceError(["m.npz: array 'ids': corrupt zip entry 'ids.npy': 16777215 bytes of data at offset",
                          "run past the end"]) { try NpzArchive(bytes: longData, file: "m.npz").array("ids") }
    }

    /// ZIP64 fields in the central directory are read, and out-of-range ZIP64 values are refused, not trusted.
    func testZip64DirectoryValues() throws {
        // Build an archive whose central directory entry for 'x.npy' carries a ZIP64 extra field.
        let npy = NpyWriter.encode(floats: [3, 4], shape: [2], as: .float32)
        let crc = Data(npy).crc32(checksum: 0)
        func zip(offsetInExtra: UInt64) -> [UInt8] {
            var out: [UInt8] = []
            func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
            func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
            func u64(_ v: UInt64) { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
            let name = Array("x.npy".utf8)
            u32(0x0403_4B50); u16(20); u16(0); u16(0); u16(0); u16(0); u32(crc)
            u32(UInt32(npy.count)); u32(UInt32(npy.count)); u16(name.count); u16(0)
            out += name + npy
            let cdStart = out.count
            u32(0x0201_4B50); u16(45); u16(45); u16(0); u16(0); u16(0); u16(0); u32(crc)
            u32(0xFFFF_FFFF); u32(0xFFFF_FFFF); u16(name.count); u16(28); u16(0); u16(0); u16(0); u32(0)
            u32(0xFFFF_FFFF)
            out += name
            u16(1); u16(24); u64(UInt64(npy.count)); u64(UInt64(npy.count)); u64(offsetInExtra)
            let cdSize = out.count - cdStart
            u32(0x0605_4B50); u16(0); u16(0); u16(1); u16(1); u32(UInt32(cdSize)); u32(UInt32(cdStart)); u16(0)
            return out
        }
        let good = try NpzArchive(bytes: zip(offsetInExtra: 0), file: "z64.npz")
        XCTAssertEqual(try good.array("x").floats(), [3, 4])
        for offset: UInt64 in [1 << 63, UInt64.max, 1 << 40] {
            let npz = try NpzArchive(bytes: zip(offsetInExtra: offset), file: "z64.npz")
            assertTraceError(["z64.npz: array 'x': corrupt zip entry 'x.npy': no local header at offset \(offset)"]) {
                try npz.array("x")
            }
        }
    }

    func testDuplicateMembers() throws {
        let list = [members.list[0], members.list[0]]
        let bytes = try NpzWriter.archive(list, compressed: false)
        assertTraceError(["d.npz: array 'x': archive holds two members named 'x.npy'"]) {
            try NpzArchive(bytes: bytes, file: "d.npz")
        }
    }
}
