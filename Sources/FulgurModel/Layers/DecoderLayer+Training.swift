import FulgurTensor

extension DecoderLayer {
    public final class Tape {
        enum Mixer { case lightning(LightningAttention.Tape), softmax(SoftmaxAttention.Tape) }
        let x: Tensor, h: Tensor, x1: Tensor, h2: Tensor
        let inv1: [Float], inv2: [Float]
        let mixer: Mixer
        let moe: SparseMoE.Tape
        init(x: Tensor, h: Tensor, x1: Tensor, h2: Tensor, inv1: [Float], inv2: [Float], mixer: Mixer, moe: SparseMoE.Tape) {
            self.x = x; self.h = h; self.x1 = x1; self.h2 = h2; self.inv1 = inv1; self.inv2 = inv2; self.mixer = mixer; self.moe = moe
        }
    }

    public func trainingForward(_ x: Tensor, _ layout: SequenceLayout) -> (Tensor, Tape) {
        let (h, inv1) = normRows(x, inputNorm)
        let a: Tensor, mt: Tape.Mixer
        switch mixer {
        case .lightning(let l): let (o, t) = l.trainingForward(h, layout); (a, mt) = (o, .lightning(t))
        case .softmax(let s): let (o, t) = s.trainingForward(h, layout); (a, mt) = (o, .softmax(t))
        }
        let x1 = Tensor(shape: x.shape, zeroed: false)
        residual(postnorm ? h : x, attnAlpha, a, attnBeta, into: x1)
        let (h2, inv2) = normRows(x1, postAttentionNorm)
        let (m, moeTape) = moe.trainingForward(h2)
        residual(postnorm ? h2 : x1, mlpAlpha, m, mlpBeta, into: m)
        return (m, Tape(x: x, h: h, x1: x1, h2: h2, inv1: inv1, inv2: inv2, mixer: mt, moe: moeTape))
    }

    /// dOut: gradient of the layer output; returns the gradient of the layer input.
    public func backward(_ dOut: Tensor, _ tape: Tape, _ layout: SequenceLayout, auxGradient: [Float]?, _ g: Gradients) -> Tensor {
        let n = dOut.rows, d = dOut.cols
        // out = α_mlp · r2 + β_mlp · MoE(h2)
        let dm = scaled(dOut, by: mlpBeta)
        let dh2 = moe.backward(dm, tape.moe, auxGradient: auxGradient, g)
        let dx1 = Tensor(shape: dOut.shape)
        if postnorm { Vec.axpy(mlpAlpha, dOut.pointer, dh2.pointer, dh2.count) } else { Vec.axpy(mlpAlpha, dOut.pointer, dx1.pointer, dx1.count) }
        Norm.rmsBackwardRows(dh2.pointer, tape.x1.pointer, postAttentionNorm.pointer, invRMS: tape.inv2, dx1.pointer,
                             accumulate: true, dw: g[postAttentionNorm].pointer, rows: n, n: d)
        // x1 = α_attn · r + β_attn · Attention(h)
        let da = scaled(dx1, by: attnBeta)
        let dh: Tensor = switch (mixer, tape.mixer) {
        case (.lightning(let l), .lightning(let t)): l.backward(da, t, layout, g)
        case (.softmax(let s), .softmax(let t)): s.backward(da, t, layout, g)
        default: preconditionFailure("tape does not match the layer kind")
        }
        let dx = Tensor(shape: dOut.shape)
        if postnorm { Vec.axpy(attnAlpha, dx1.pointer, dh.pointer, dh.count) } else { Vec.axpy(attnAlpha, dx1.pointer, dx.pointer, dx.count) }
        Norm.rmsBackwardRows(dh.pointer, tape.x.pointer, inputNorm.pointer, invRMS: tape.inv1, dx.pointer,
                             accumulate: true, dw: g[inputNorm].pointer, rows: n, n: d)
        return dx
    }

    func normRows(_ x: Tensor, _ w: Tensor) -> (Tensor, [Float]) {
        let out = Tensor(shape: x.shape, zeroed: false)
        var inv = [Float](repeating: 0, count: x.rows)
        inv.withUnsafeMutableBufferPointer { Norm.rmsRows(x.pointer, w.pointer, out.pointer, invRMS: $0.baseAddress!, rows: x.rows, n: x.cols, eps: eps) }
        return (out, inv)
    }

    /// β · t (t itself when β = 1: the backward only reads it).
    func scaled(_ t: Tensor, by beta: Float) -> Tensor {
        if beta == 1 { return t }
        let out = Tensor(shape: t.shape, zeroed: false)
        for i in 0..<out.count { out.pointer[i] = beta * t.pointer[i] }
        return out
    }
}
