import Foundation
import Basics
import TestSupport
import XCTest

/// `make synth`'s job list and sharding (tools/synth.py --list) and `make synth-report`'s merge of per-seed job
/// files into the per-configuration report (tools/synth_report.py). No tool is run: job files are written here.
final class SynthSweepTests: XCTestCase {
    static let root = BuiltProducts.packageRoot

    func python(_ script: String, _ args: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/\(script)").path] + args)
    }

    func jobs(_ args: [String]) throws -> [String] {
        let r = try python("synth.py", ["--list"] + args)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    func testShardsPartitionTheSweep() throws {
        let configs = ["--configs", "4 1000 4 fp16", "tree8 1000 4 fp16", "sampling8 1000 4 fixed16.8 85k",
                       "--seeds", "1", "2", "3"]
        let all = try jobs(configs)
        XCTAssertEqual(all.count, 9)
        XCTAssertTrue(all.contains("g4_v1000_l4_fp16 seed 2"))
        XCTAssertTrue(all.contains("tree8_v1000_l4_fp16 seed 3"))
        XCTAssertTrue(all.contains("sampling8_v1000_l4_fx16p8_85k seed 1"), "a named part is part of the tag")
        for n in [2, 4, 11] {
            let shards = try (1...n).map { try jobs(configs + ["--shard", "\($0)/\(n)"]) }
            XCTAssertEqual(shards.flatMap { $0 }.sorted(), all.sorted(), "shards of \(n) cover every job once")
            XCTAssertLessThanOrEqual(shards.map(\.count).max()! - shards.map(\.count).min()!, 1, "balanced")
        }
    }

    func testTheDefaultSweepIsTheIssuesSweep() throws {
        let all = try jobs([])
        let greedy = all.filter { $0.hasPrefix("g") }
        // Γ ∈ {4,16,32} × V ∈ 4 values × (L ∈ {16,64} fp16 + L = 16 in bf16, fp32, fixed16.8), plus L = 128, 256.
        XCTAssertEqual(Set(greedy.map { $0.components(separatedBy: " ")[0] }).count, 3 * 4 * (2 + 3) + 2)
        XCTAssertTrue(all.contains("g32_v262144_l16_fx16p8 seed 3"))
        XCTAssertTrue(all.contains("g16_v50257_l256_fp16_85k seed 1"))
        XCTAssertTrue(all.contains("sampling8_v50257_l16_fx16p8 seed 1"))
    }

    func testBadShardAndBadConfigurationAreNamed() throws {
        for (args, needle) in [(["--shard", "0/3"], "--shard"), (["--shard", "4/3"], "--shard"),
                               (["--configs", "x 1000 4 fp16"], "bad configuration 'x 1000 4 fp16'"),
                               (["--configs", "4 1000 4 fp16 99k"], "part '99k'")] {
            let r = try python("synth.py", ["--list"] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "no partial output for \(args)")
        }
    }

    /// A job file as tools/synth.py writes it, with the fields the merge reads.
    func job(seed: Int, fmax: Double?, sha: String = "v1", device: String = "LFE5U-45F",
             failure: String = "pnr_failed") -> [String: Any] {
        var j: [String: Any] = [
            "config": ["mode": "greedy", "gamma_max": 16, "vocab": 50257, "lanes": 16, "format": "fp16",
                       "tag": "g16_v50257_l16_fp16", "beats_per_row": 3142, "latency_D": 7],
            "mode": "greedy", "seed": seed, "verilog_sha256": sha, "speed_grade": 6, "device": device,
            "tool_versions": ["yosys": "test"], "status": fmax == nil ? failure : "ok",
            "ecp5_synth": ["harness_ffs": 100],
        ]
        if let fmax {
            j["fmax_mhz"] = fmax
            j["ecp5_pnr"] = [
                "fmax_mhz": fmax, "critical_path": [] as [Any], "critical_path_ns": 1000 / fmax,
                "critical_path_logic_ns": 1.0, "critical_path_routing_ns": 1000 / fmax - 1,
                "critical_path_from": "a.Q", "critical_path_to": "b.D", "critical_path_logic_levels": 2,
                "critical_path_carry_steps": 0,
                "utilization": ["TRELLIS_COMB": ["used": 1000 + seed, "available": 43848],
                                "TRELLIS_FF": ["used": 900, "available": 43848],
                                "MULT18X18D": ["used": 0, "available": 72], "DP16KD": ["used": 1, "available": 108]],
            ] as [String: Any]
        }
        return j
    }

    func testReportIsTheMedianOfTheSeedsOfTheNewestVerilog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hades-synth-\(UUID().uuidString)")
        let jobsDir = dir.appendingPathComponent("synth-jobs")
        try FileManager.default.createDirectory(at: jobsDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ j: [String: Any], age: TimeInterval) throws {
            let url = jobsDir.appendingPathComponent(name)
            try JSONSerialization.data(withJSONObject: j).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: url.path)
        }
        // Seeds 1–3 of the current Verilog, seed 5 not legalised by the placer, and an older seed 4 of a stale
        // generator.
        try write("g16_v50257_l16_fp16-seed1.json", job(seed: 1, fmax: 210), age: 30)
        try write("g16_v50257_l16_fp16-seed2.json", job(seed: 2, fmax: 190), age: 20)
        try write("g16_v50257_l16_fp16-seed3.json", job(seed: 3, fmax: 204), age: 10)
        try write("g16_v50257_l16_fp16-seed5.json", job(seed: 5, fmax: nil, failure: "not_legalised"), age: 5)
        try write("g16_v50257_l16_fp16-seed4.json", job(seed: 4, fmax: 100, sha: "old"), age: 3600)

        let r = try python("synth_report.py", ["--reports", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let data = try Data(contentsOf: dir.appendingPathComponent("synth-g16_v50257_l16_fp16.json"))
        let rep = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(rep["mode"] as? String, "greedy")
        XCTAssertEqual(rep["status"] as? String, "ok")
        XCTAssertEqual(rep["fmax_mhz"] as? Double, 204)
        XCTAssertEqual(rep["fmax_mhz_seeds"] as? [Double], [210, 190, 204])
        XCTAssertEqual(rep["seeds"] as? [Int], [1, 2, 3, 5], "the stale seed 4 is left out")
        XCTAssertEqual(rep["fmax_spread_mhz"] as? Double, 20)
        XCTAssertEqual(rep["critical_path_seed"] as? Int, 3, "details come from the median seed's run")
        XCTAssertEqual(rep["ecp5_luts"] as? Int, 1003)
        let md = try String(contentsOf: dir.appendingPathComponent("synth.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("| greedy Γ=16 | 50257 | 16 | fp16 | 7 | LFE5U-45F | **204.0** | 190.0–210.0 (3 seeds; seed 5 not_legalised) |"), md)
        XCTAssertTrue(md.contains("not_legalised: nextpnr's strict legaliser gave up"), "the status is explained: \(md)")
        XCTAssertTrue(md.contains("Greedy unit: 1 of 1 configurations reach 200 MHz (median)."), md)
    }

    func testReportWithoutJobsIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hades-synth-\(UUID().uuidString)")
        let r = try python("synth_report.py", ["--reports", dir.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("synth-jobs"), r.stderr)
    }

    /// `make bench`'s best_hw: tokens / cycles(L) × Fmax, over the configurations whose L was simulated.
    func testBestHardwareIsTheFastestSimulatedConfiguration() throws {
        let script = """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import bench
        def rep(lanes, gamma, mhz):
            return {"config": {"lanes": lanes, "gamma_max": gamma, "vocab": 49152, "format": "fp16"}, "fmax_mhz": mhz,
                    "device": f"part{lanes}", "fmax_source": "test", "path": f"synth-{lanes}.json"}
        cands = [rep(16, 16, 200.0), rep(64, 32, 140.0), rep(128, 16, 300.0)]
        by_lanes = [{"lanes": 16, "cycles": 150612}, {"lanes": 64, "cycles": 37740}]
        print(json.dumps(bench.best_hardware(cands, by_lanes, 49)))
        """
        let r = try ProcessRunner.run("python3", ["-c", script, Self.root.appendingPathComponent("tools").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let best = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // 49 tokens: L=16 at 200 MHz gives 65 067/s, L=64 at 140 MHz 181 770/s; L=128 was not simulated.
        XCTAssertEqual(best["lanes"] as? Int, 64)
        XCTAssertEqual(best["gamma_max"] as? Int, 32)
        XCTAssertEqual(best["device"] as? String, "part64")
        XCTAssertEqual(best["clock_mhz"] as? Double, 140)
        XCTAssertEqual(try XCTUnwrap(best["tokens_per_s"] as? Double), 49.0 / 37740 * 140e6, accuracy: 1e-6)
    }

    /// The per-L clock of `make bench` also finds a configuration measured on a named part (…_fp16_85k.json).
    func testBenchClockFindsAReportTaggedWithItsPart() throws {
        let script = """
        import json, os, sys, tempfile
        sys.path.insert(0, sys.argv[1])
        import bench
        d = tempfile.mkdtemp()
        rep = {"status": "ok", "fmax_mhz": 124.8, "config": {"vocab": 50257}, "device": "LFE5U-85F", "speed_grade": 6,
               "fmax_source": "test"}
        json.dump(rep, open(os.path.join(d, "synth-g16_v50257_l256_fp16_85k.json"), "w"))
        f256, src, _ = bench.synth_clock(d, 16, 49152, 256)
        f25, _, _ = bench.synth_clock(d, 16, 49152, 25)
        print(json.dumps({"f256": f256, "src": src, "f25": f25}))
        """
        let r = try ProcessRunner.run("python3", ["-c", script, Self.root.appendingPathComponent("tools").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(out["f256"] as? Double, 124.8)
        XCTAssertTrue((out["src"] as? String ?? "").contains("V = 50257"), "\(out)")
        XCTAssertTrue(out["f25"] is NSNull, "L = 25 must not take the L = 256 report: \(out)")
    }
}
