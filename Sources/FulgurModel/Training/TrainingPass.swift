import Foundation
import FulgurSupport
import FulgurTensor

/// One training forward over whole sequences (fresh state, no caches), keeping what the
/// backward pass needs. It yields the per-token log-probabilities log π(x_{t+1} | x_≤t) at a
/// temperature; any loss that is a function of them (cross-entropy, CISPO, PPO) backpropagates
/// through `backward(dLogProbs:)`.
public final class TrainingPass {
    public let model: MiniMaxModel
    public let layout: SequenceLayout
    public let temperature: Float
    /// Per row: log-prob of the next token of the same sequence (0 for each sequence's last row).
    public let logProbs: [Float]
    /// Per row: entropy of the (tempered) next-token distribution.
    public let entropy: [Float]
    /// Per row: whether the row has a next token (false for the last row of each sequence).
    public let hasTarget: [Bool]
    /// The Switch/Mixtral load-balancing loss over all layers (before its coefficient).
    public var auxLoss: Float { routing.auxLoss }
    /// The routing counts behind it (this pass's rows only).
    public let routing: RoutingStatistics

    let tapes: [DecoderLayer.Tape]
    let xL: Tensor, y: Tensor, invF: [Float]
    let probs: Tensor  // tempered softmax [N, V]

    /// Sampling truncation to mirror: log-probs are taken under the renormalized distribution
    /// over the kept tokens (top-k, then top-p, of the tempered distribution, plus the target).
    public struct Truncation: Sendable {
        public var topK: Int
        public var topP: Float
        public init(topK: Int, topP: Float) { self.topK = topK; self.topP = topP }
    }

    init(model: MiniMaxModel, layout: SequenceLayout, temperature: Float, truncation: Truncation? = nil) throws {
        self.model = model
        self.layout = layout
        self.temperature = temperature
        let c = model.config, d = c.hiddenSize, v = c.vocabSize, n = layout.rows
        for (i, t) in layout.tokens.enumerated() where t < 0 || t >= v {
            throw MiniMaxModel.InputError(description: "token id \(t) at index \(i) is outside the vocabulary (0..<\(v))")
        }
        var x = Tensor(shape: [n, d], zeroed: false)
        for (r, t) in layout.tokens.enumerated() { x.row(r).update(from: model.embedTokens.row(t), count: d) }
        var tapes: [DecoderLayer.Tape] = []
        var counts = [Double](repeating: 0, count: c.numExperts), psums = counts
        for layer in model.layers {
            let (out, tape) = layer.trainingForward(x, layout)
            tapes.append(tape)
            for (e, k) in tape.moe.assignmentCounts.enumerated() { counts[e] += Double(k) }
            for (e, s) in tape.moe.probabilitySums.enumerated() { psums[e] += s }
            x = out
        }
        self.tapes = tapes
        routing = RoutingStatistics(assignments: counts, probabilitySums: psums, rows: Double(n * c.numLayers))
        xL = x
        let y = Tensor(shape: [n, d], zeroed: false)
        var invF = [Float](repeating: 0, count: n)
        invF.withUnsafeMutableBufferPointer {
            Norm.rmsRows(x.pointer, model.norm.pointer, y.pointer, invRMS: $0.baseAddress!, rows: n, n: d, eps: c.rmsNormEps)
        }
        self.invF = invF
        self.y = y
        let logits = y.linear(model.lmHead)
        if temperature != 1 { Vec.scale(logits.pointer, 1 / temperature, logits.count) }
        var lp = [Float](repeating: 0, count: n), ent = lp, has = [Bool](repeating: false, count: n)
        for seg in layout.segments where seg.count > 1 { for r in seg.lowerBound..<seg.upperBound - 1 { has[r] = true } }
        let lpp = SendablePointer(UnsafeMutablePointer<Float>.allocate(capacity: n))
        let enp = SendablePointer(UnsafeMutablePointer<Float>.allocate(capacity: n))
        defer { lpp.p.deallocate(); enp.p.deallocate() }
        let tokens = layout.tokens
        let truncating = truncation.map { $0.topK > 0 || $0.topP < 1 } ?? false
        Parallel.forEach(n, minChunk: 16) { r in
            let row = logits.row(r)
            if let tr = truncation, truncating {
                Softmax.inPlace(row, v)  // row now holds probabilities
                TrainingPass.truncate(row, v, tr, keep: has[r] ? tokens[r + 1] : nil)
                var h: Float = 0
                for j in 0..<v where row[j] > 0 { h -= row[j] * Foundation.log(row[j]) }
                enp.p[r] = h
            } else {
                enp.p[r] = TrainingPass.softmaxEntropy(row, v)  // row now holds probabilities
            }
            lpp.p[r] = has[r] ? Foundation.log(max(row[tokens[r + 1]], .leastNonzeroMagnitude)) : 0
        }
        for r in 0..<n { lp[r] = lpp.p[r]; ent[r] = enp.p[r] }
        probs = logits
        logProbs = lp
        entropy = ent
        hasTarget = has
    }

    /// Softmax of a row in place, returning its entropy without a log per entry:
    /// with t = z − max, e = eᵗ, s = Σe:  H = −Σ p log p = log s − Σ e·t / s.
    static func softmaxEntropy(_ z: UnsafeMutablePointer<Float>, _ v: Int) -> Float {
        let m = Vec.max(z, v)
        let raw = UnsafeMutableRawPointer(z)
        var sum = SIMD8<Float>(), dot = SIMD8<Float>()
        var j = 0
        while j + 8 <= v {
            let t = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self) - m
            let e = Act.exp(t)
            raw.storeBytes(of: e, toByteOffset: 4 * j, as: SIMD8<Float>.self)
            sum += e
            dot = dot.addingProduct(e, t)
            j += 8
        }
        var s = sum.sum(), et = dot.sum()
        while j < v { let t = z[j] - m, e = Act.exp(t); z[j] = e; s += e; et += e * t; j += 1 }
        let inv = 1 / s
        Vec.scale(z, inv, v)
        return Foundation.log(s) - et * inv
    }

    /// Zeroes the tokens outside top-k/top-p (always keeping `keep`) and renormalizes.
    static func truncate(_ p: UnsafeMutablePointer<Float>, _ v: Int, _ tr: Truncation, keep: Int?) {
        var order = Array(0..<v)
        order.sort { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var n = tr.topK > 0 ? min(tr.topK, v) : v
        if tr.topP < 1 {
            let kept = (0..<n).reduce(Float(0)) { $0 + p[order[$1]] }
            var mass: Float = 0
            for i in 0..<n {
                mass += p[order[i]]
                if mass >= tr.topP * kept { n = i + 1; break }
            }
        }
        var inSet = [Bool](repeating: false, count: v)
        for i in 0..<max(n, 1) { inSet[order[i]] = true }
        if let keep { inSet[keep] = true }
        var total: Float = 0
        for j in 0..<v { if inSet[j] { total += p[j] } else { p[j] = 0 } }
        let inv = 1 / total
        for j in 0..<v { p[j] *= inv }
    }

    /// Backpropagates d(loss)/d(logProbs[r]) (0 where there is no target) plus the aux loss
    /// with `auxCoefficient`, adding into `g`. `routing` replaces this pass's routing statistics
    /// with those of the whole batch when the batch is split over data-parallel ranks (their sum).
    public func backward(dLogProbs: [Float], auxCoefficient: Float = 0, routing batch: RoutingStatistics? = nil,
                         into g: Gradients) {
        let c = model.config, d = c.hiddenSize, v = c.vocabSize, n = layout.rows
        precondition(dLogProbs.count == n, "dLogProbs has \(dLogProbs.count) entries for \(n) rows")
        // log p = z_y − lse(z), z = logits / T  ⇒  dlogits = g (onehot − p) / T
        let dLogits = Tensor(shape: [n, v], zeroed: false)
        let invT = 1 / temperature
        let tokens = layout.tokens, has = hasTarget, probs = probs
        Parallel.forEach(n, minChunk: 16) { r in
            let out = dLogits.row(r)
            guard has[r] && dLogProbs[r] != 0 else { out.update(repeating: 0, count: v); return }
            let gr = dLogProbs[r] * invT, p = probs.row(r)
            for j in 0..<v { out[j] = -gr * p[j] }
            out[tokens[r + 1]] += gr
        }
        let dy = Tensor(shape: [n, d], zeroed: false)
        linearBackward(x: y, w: model.lmHead, dy: dLogits, dx: dy, accumulateDx: false, dw: g[model.lmHead])
        var dx = Tensor(shape: [n, d], zeroed: false)
        Norm.rmsBackwardRows(dy.pointer, xL.pointer, model.norm.pointer, invRMS: invF, dx.pointer, accumulate: false,
                             dw: g[model.norm].pointer, rows: n, n: d)
        let stats = batch ?? routing
        let auxGradient: [Float]? = auxCoefficient == 0 ? nil : stats.fractions.map {
            auxCoefficient * Float(c.numExperts) * $0 / Float(stats.rows)
        }
        for (layer, tape) in zip(model.layers, tapes).reversed() {
            dx = layer.backward(dx, tape, layout, auxGradient: auxGradient, g)
        }
        let dE = g[model.embedTokens]
        for (r, t) in layout.tokens.enumerated() { Vec.axpy(1, dx.row(r), dE.row(t), d) }
    }
}

/// The statistics of the load-balancing loss L = E · Σ_e f_e · P_e over every layer's routing:
/// per expert, the top-k assignments and the router-probability sums, and the rows × layers they
/// cover (f_e = assignments / rows, P_e = probability sums / rows). They add up over a split batch,
/// so data-parallel ranks sum theirs and get the loss and gradient of the whole batch.
public struct RoutingStatistics: Sendable, Equatable {
    public var assignments: [Double]
    public var probabilitySums: [Double]
    public var rows: Double

    public init(assignments: [Double], probabilitySums: [Double], rows: Double) {
        self.assignments = assignments; self.probabilitySums = probabilitySums; self.rows = rows
    }

    /// f_e, the fraction of assignments per expert.
    public var fractions: [Float] { assignments.map { Float($0 / rows) } }

    public var auxLoss: Float {
        guard rows > 0 else { return 0 }
        return Float(Double(assignments.count) * zip(assignments, probabilitySums).reduce(0) { $0 + ($1.0 / rows) * ($1.1 / rows) })
    }

    /// As one flat vector (for a sum over ranks), and back.
    public var flattened: [Double] { assignments + probabilitySums + [rows] }
    public init(flattened v: [Double]) {
        let e = (v.count - 1) / 2
        self.init(assignments: Array(v[0..<e]), probabilitySums: Array(v[e..<2 * e]), rows: v[2 * e])
    }
}

extension MiniMaxModel {
    /// The unique parameter tensors that training updates, under checkpoint names; experts
    /// are stacked as HF's packed `experts.gate_up_proj` [E, 2I, d] and `experts.down_proj` [E, d, I].
    public var trainableParameters: [(String, Tensor)] {
        var out: [(String, Tensor)] = [("model.embed_tokens.weight", embedTokens)]
        for l in layers {
            let p = "model.layers.\(l.index)."
            out += [(p + "input_layernorm.weight", l.inputNorm), (p + "post_attention_layernorm.weight", l.postAttentionNorm)]
            out += l.mixer.parameters.map { (p + "self_attn." + $0.0, $0.1) }
            out += [(p + "block_sparse_moe.gate.weight", l.moe.gate),
                    (p + "block_sparse_moe.experts.gate_up_proj", l.moe.gateUp),
                    (p + "block_sparse_moe.experts.down_proj", l.moe.down)]
        }
        out.append(("model.norm.weight", norm))
        if !config.tieWordEmbeddings { out.append(("lm_head.weight", lmHead)) }
        return out
    }

    public func makeGradients() -> Gradients { Gradients(trainableParameters) }

    /// Gradients under the checkpoint's names (per-expert w1/w2/w3 as views into the stacks).
    public func checkpointNamed(_ g: Gradients) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (name, t) in zip(g.names, g.tensors) {
            if name.hasSuffix(".experts.gate_up_proj") || name.hasSuffix(".experts.down_proj") { continue }
            if name.hasSuffix(".block_sparse_moe.gate.weight") {
                let l = layers[Int(name.split(separator: ".")[2])!]
                let prefix = String(name.dropLast("gate.weight".count))
                out += l.moe.named(gate: t, gateUp: g[l.moe.gateUp], down: g[l.moe.down]).map { (prefix + $0.0, $0.1) }
            } else {
                out.append((name, t))
            }
        }
        return out
    }

    public func trainingForward(_ sequences: [[Int]], temperature: Float = 1, truncation: TrainingPass.Truncation? = nil) throws -> TrainingPass {
        try TrainingPass(model: self, layout: SequenceLayout(sequences), temperature: temperature, truncation: truncation)
    }

    /// A training forward over prompt + response samples; samples in a row with the same prompt
    /// share one copy of it (`SequenceLayout(prompts:responses:)`). The response log-probs are
    /// `pass.layout.gatherResponses(pass.logProbs)`.
    public func trainingForward(prompts: [[Int]], responses: [[Int]], sharePrompts: Bool = true, temperature: Float = 1,
                                truncation: TrainingPass.Truncation? = nil) throws -> TrainingPass {
        try TrainingPass(model: self, layout: SequenceLayout(prompts: prompts, responses: responses, sharePrompts: sharePrompts),
                         temperature: temperature, truncation: truncation)
    }
}
