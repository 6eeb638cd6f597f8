import Foundation
import FulgurModel

/// What a model folder gives the server besides the weights: the tokenizer (as a codec), the
/// chat template, and the end-of-sequence ids.
public struct ModelSetup: Sendable {
    public let codec: TextCodec?
    public let chatTemplate: ChatTemplate?
    /// The config's `eos_token_id` (and the tokenizer's end token once there is one).
    public let eos: [Int]

    public init(directory: String, model: MiniMaxModel) throws {
        codec = nil
        chatTemplate = nil
        eos = model.config.eosTokenIds
    }

    public init(codec: TextCodec?, chatTemplate: ChatTemplate?, eos: [Int]) {
        self.codec = codec
        self.chatTemplate = chatTemplate
        self.eos = eos
    }
}
