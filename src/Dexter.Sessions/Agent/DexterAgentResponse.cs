using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>The outcome of <see cref="DexterAgent.RunAsync(string, string, CancellationToken)"/>: the recorded turn and what led to it.</summary>
public sealed class DexterAgentResponse
{
    /// <summary>Initializes a response.</summary>
    /// <param name="sessionId">The session, or <see langword="null"/> when the run used a <see cref="MessageHistory"/> without a store.</param>
    /// <param name="turn">The recorded turn.</param>
    /// <param name="context">The past turns given to the model.</param>
    /// <param name="modelResponse">The model's response.</param>
    public DexterAgentResponse(string? sessionId, Message turn, IReadOnlyList<Message> context, ChatResponse modelResponse)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(modelResponse);
        SessionId = sessionId;
        Turn = turn;
        Context = context;
        ModelResponse = modelResponse;
    }

    /// <summary>Gets the session, or <see langword="null"/> when the run used a <see cref="MessageHistory"/> without a store.</summary>
    public string? SessionId { get; }

    /// <summary>Gets the recorded turn, with its id and summary.</summary>
    public Message Turn { get; }

    /// <summary>Gets the answer (the turn's <see cref="Message.Answer"/>).</summary>
    public string Answer => Turn.Answer;

    /// <summary>Gets the past turns that were given to the model as context, in chronological order.</summary>
    public IReadOnlyList<Message> Context { get; }

    /// <summary>Gets the model's response as it came.</summary>
    public ChatResponse ModelResponse { get; }

    /// <summary>
    /// Gets whether the turn was recorded before, by an earlier run with the same turn key, and is returned again without
    /// calling the model (<see cref="ModelResponse"/> then holds the recorded answer).
    /// </summary>
    public bool Replayed { get; init; }

    /// <summary>Returns the answer.</summary>
    /// <returns>The answer.</returns>
    public override string ToString() => Answer;
}
