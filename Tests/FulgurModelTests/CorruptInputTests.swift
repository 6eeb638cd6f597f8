import Foundation
import Testing
@testable import FulgurModel
@testable import FulgurSupport
@testable import FulgurTensor

/// ≥ 1,000 corrupted or truncated safetensors files and configs: each must end in a thrown
/// error with a message (never a crash, a hang or a silently accepted model).
@Suite struct CorruptInputTests {
    static let source = Fixtures.path("hf-tiny")

    struct Header {
        var json: [String: Any]
        var data: Data
    }

    static func readHeader(_ bytes: Data) -> Header {
        let n = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let json = try! JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + n)) as! [String: Any]
        return Header(json: json, data: bytes.subdata(in: 8 + n..<bytes.count))
    }

    static func assemble(headerBytes: Data, data: Data, claimedLength: UInt64? = nil) -> Data {
        var out = Data()
        var n = (claimedLength ?? UInt64(headerBytes.count)).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        out.append(data)
        return out
    }

    /// Loads a model folder whose model.safetensors is `bytes`; returns the error message.
    static func loadError(modelBytes: Data, config: Data? = nil) -> String? {
        let dir = TestModels.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cfg = config ?? FileManager.default.contents(atPath: source + "/config.json")!
        try! cfg.write(to: URL(fileURLWithPath: dir + "/config.json"))
        try! modelBytes.write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        do {
            _ = try MiniMaxModel(directory: dir)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let original = FileManager.default.contents(atPath: source + "/model.safetensors")!

    @Test func pristineFileLoads() {
        #expect(Self.loadError(modelBytes: Self.original) == nil)
    }

    @Test func truncatedFilesAreRejected() {
        var rng = RNG(seed: 1)
        var cuts = Set([0, 1, 7, 8, 9, 100, Self.original.count - 1])
        while cuts.count < 300 { cuts.insert(Int(rng.next() % UInt64(Self.original.count))) }
        for cut in cuts.sorted() {
            let msg = Self.loadError(modelBytes: Self.original.prefix(cut))
            #expect(msg != nil && !msg!.isEmpty, "cut at \(cut) was accepted")
        }
    }

    @Test func corruptedHeaderBytesAreRejectedOrHarmless() {
        // Flip random bytes inside the JSON header. The result must be an error unless the
        // flip landed in a place that does not change the meaning (metadata or padding);
        // those are re-parsed and compared.
        var rng = RNG(seed: 2)
        let n = Int(Self.original.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var rejected = 0, harmless = 0
        for _ in 0..<300 {
            var bytes = Self.original
            let pos = 8 + Int(rng.next() % UInt64(n))
            bytes[pos] ^= UInt8(1 << (rng.next() % 7))
            if let msg = Self.loadError(modelBytes: bytes) {
                #expect(!msg.isEmpty)
                rejected += 1
            } else {
                // accepted: the tensor table must be unchanged
                let a = Self.readHeader(Self.original).json, b = try? JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + n))
                let same = (b as? [String: Any]).map { b in a.keys.filter { $0 != "__metadata__" }.allSatisfy { k in
                    (a[k] as? NSDictionary) == (b[k] as? NSDictionary) } } ?? false
                #expect(same, "flip at \(pos) was accepted but changed the tensor table")
                harmless += 1
            }
        }
        #expect(rejected > 250)
    }

    @Test func semanticHeaderCorruptionsAreRejected() throws {
        let header = Self.readHeader(Self.original)
        let names = header.json.keys.filter { $0 != "__metadata__" }.sorted()
        var rng = RNG(seed: 3)
        var cases = 0
        for trial in 0..<300 {
            var json = header.json
            var data = header.data
            var claimed: UInt64? = nil
            let name = names[Int(rng.next() % UInt64(names.count))]
            var e = json[name] as! [String: Any]
            let offs = e["data_offsets"] as! [Int]
            switch trial % 12 {
            case 0: e["dtype"] = ["F64", "BOOL", "Q4", "", "bf16"][Int(rng.next() % 5)]; json[name] = e
            case 1: e["dtype"] = "I64"; var s = e["shape"] as! [Int]; s[0] = s[0] / 2; e["shape"] = s; json[name] = e
            case 2: var s = e["shape"] as! [Int]; s[0] += 1 + Int(rng.next() % 5); e["shape"] = s; json[name] = e
            case 3: e["shape"] = (e["shape"] as! [Int]).reversed() + [1]; json[name] = e  // same size, wrong rank
            case 4: e["data_offsets"] = [offs[0], offs[1] + 4 * (1 + Int(rng.next() % 100))]; json[name] = e
            case 5: e["data_offsets"] = [offs[1], offs[0]]; json[name] = e
            case 6: e["data_offsets"] = [offs[0] + 4, offs[1] + 4]; json[name] = e  // overlap / past the end
            case 7: json[name] = nil  // missing tensor + hole
            case 8: json[name] = nil; data.removeSubrange(offs[0]..<offs[1])
                json = json.mapValues { v in  // keep offsets consistent after removal: only the missing tensor
                    guard var x = v as? [String: Any], let o = x["data_offsets"] as? [Int] else { return v }
                    if o[0] >= offs[1] { x["data_offsets"] = [o[0] - (offs[1] - offs[0]), o[1] - (offs[1] - offs[0])] }
                    return x
                }
            case 9:  // an extra tensor the model does not know
                json["model.layers.0.extra.weight"] = ["dtype": "F32", "shape": [1], "data_offsets": [data.count, data.count + 4]]
                data.append(Data(count: 4))
            case 10: claimed = UInt64(1) << (40 + rng.next() % 20)  // header length past the end
            default: e["shape"] = ["a", -1][Int(rng.next() % 2)] as Any; json[name] = e
            }
            let headerBytes = try JSONSerialization.data(withJSONObject: json)
            let msg = Self.loadError(modelBytes: Self.assemble(headerBytes: headerBytes, data: data, claimedLength: claimed))
            #expect(msg != nil && !msg!.isEmpty, "trial \(trial) (kind \(trial % 12)) was accepted")
            cases += 1
        }
        #expect(cases == 300)
    }

    @Test func corruptedConfigsAreRejected() throws {
        let base = try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: Self.source + "/config.json")!) as! [String: Any]
        let required = ["model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                        "num_attention_heads", "num_local_experts", "num_experts_per_tok"]
        var rng = RNG(seed: 4)
        var count = 0
        for trial in 0..<200 {
            var c = base
            let key = required[Int(rng.next() % UInt64(required.count))]
            switch trial % 10 {
            case 0: c[key] = nil
            case 1: c[key] = "twelve"
            case 2: c[key] = key == "model_type" ? "llama" : -3
            case 3: c["layer_types"] = ["linear_attention", "full_attention"]  // wrong length
            case 4: c["layer_types"] = ["linear_attention", "mamba", "linear_attention", "full_attention"]
            case 5: c["num_key_value_heads"] = 3  // 4 heads not divisible by 3
            case 6: c["num_experts_per_tok"] = 9
            case 7: c["hidden_size"] = 32  // shapes no longer match the weights
            case 8: c["rope_parameters"] = ["rope_type": "yarn", "rope_theta": 1e6]
            default: c["hidden_act"] = "gelu"
            }
            let data = try JSONSerialization.data(withJSONObject: c)
            let msg = Self.loadError(modelBytes: Self.original, config: data)
            #expect(msg != nil && !msg!.isEmpty, "config trial \(trial) accepted")
            count += 1
        }
        // syntactically broken JSON
        let text = FileManager.default.contents(atPath: Self.source + "/config.json")!
        for cut in stride(from: 1, to: text.count - 2, by: max(1, text.count / 100)) {
            let msg = Self.loadError(modelBytes: Self.original, config: text.prefix(cut))
            #expect(msg?.contains("config.json") == true, "truncated config at \(cut): \(msg ?? "accepted")")
            count += 1
        }
        #expect(count >= 300)
    }

    @Test func shardIndexProblemsAreRejected() throws {
        let m1 = Fixtures.path("m1-tiny")
        let fm = FileManager.default
        func check(_ mutate: (inout [String: Any]) -> Void) -> String? {
            let dir = TestModels.tempDir()
            defer { try? fm.removeItem(atPath: dir) }
            for f in try! fm.contentsOfDirectory(atPath: m1) where f.hasPrefix("model") || f == "config.json" {
                try! fm.copyItem(atPath: m1 + "/" + f, toPath: dir + "/" + f)
            }
            var index = try! JSONSerialization.jsonObject(with: fm.contents(atPath: dir + "/model.safetensors.index.json")!) as! [String: Any]
            mutate(&index)
            try! JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
            do { _ = try MiniMaxModel(directory: dir); return nil } catch { return "\(error)" }
        }
        #expect(check { _ in } == nil)
        #expect(check { $0["weight_map"] = nil }?.contains("weight_map") == true)
        #expect(check { var m = $0["weight_map"] as! [String: Any]; m["lm_head.weight"] = "model-00001-of-00002.safetensors"; $0["weight_map"] = m } != nil)
        #expect(check { var m = $0["weight_map"] as! [String: Any]; m["lm_head.weight"] = "../../etc/passwd"; $0["weight_map"] = m } != nil)
        #expect(check { var m = $0["weight_map"] as! [String: Any]; m["lm_head.weight"] = "missing.safetensors"; $0["weight_map"] = m } != nil)
        #expect(check { var m = $0["weight_map"] as! [String: Any]; m.removeValue(forKey: "model.norm.weight"); $0["weight_map"] = m } != nil)
    }
}
