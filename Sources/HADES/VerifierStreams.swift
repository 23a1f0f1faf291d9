import HDL

/// The verifier's stream interfaces (docs/spec.md "Ports"): the generators declare their ports from
/// these and the co-simulation drives them through the same values.
public enum VerifierStreams {
    /// One command per round (γ, draft tokens; uniforms and mode bits in sampling mode).
    public static let command = StreamPortNames("s_axis_cmd")
    /// Target logit rows, L lanes a beat, `tlast` on each row's last beat.
    public static let logits = StreamPortNames("s_axis_logits", last: true)
    /// Draft logit rows in lock step with the target rows (sampling with full draft rows).
    public static let draft = StreamPortNames("s_axis_draft", last: true)
    /// One result per round (token, n, γ−n, flags).
    public static let result = StreamPortNames("m_axis_result")
    /// The emitted tokens, `tlast` on the round's last.
    public static let tokens = StreamPortNames("m_axis_tokens", last: true)
    /// The committed-length counter output.
    public static let committedLength = "committed_len"
}
