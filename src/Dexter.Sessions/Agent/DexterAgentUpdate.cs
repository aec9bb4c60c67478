using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>One update of <see cref="DexterAgent.RunStreamingAsync(string, string, CancellationToken)"/>: a piece of the answer, or the recorded turn at the end.</summary>
public sealed class DexterAgentUpdate
{
    /// <summary>Initializes an update.</summary>
    /// <param name="kind">What the update carries.</param>
    /// <param name="sessionId">The session.</param>
    public DexterAgentUpdate(DexterAgentUpdateKind kind, string sessionId)
    {
        Kind = kind;
        SessionId = sessionId;
    }

    /// <summary>Gets what the update carries.</summary>
    public DexterAgentUpdateKind Kind { get; }

    /// <summary>Gets the session.</summary>
    public string SessionId { get; }

    /// <summary>Gets the text the model produced (for <see cref="DexterAgentUpdateKind.Token"/>), or the whole answer (for <see cref="DexterAgentUpdateKind.Completed"/>).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Gets the recorded turn, on the <see cref="DexterAgentUpdateKind.Completed"/> update.</summary>
    public Message? Turn { get; init; }

    /// <summary>Gets the model's update behind a <see cref="DexterAgentUpdateKind.Token"/> update.</summary>
    public ChatResponseUpdate? ModelUpdate { get; init; }

    /// <summary>Gets whether the update replays a turn recorded before with the same turn key (the model was not called).</summary>
    public bool Replayed { get; init; }

    /// <summary>Returns <see cref="Text"/>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Text;
}
