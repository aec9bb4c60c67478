using Dexter.Sessions;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AgentFramework;

/// <summary>
/// One streamed run watched by <see cref="InterruptedTurnAgent"/>: the turn <see cref="DexterChatHistoryProvider"/> began for it, so
/// that a run stopped by its caller is recorded with the text streamed so far. Exactly one party takes the turn: the provider when
/// the run ends (or fails other than by the stop), or the agent when the caller stops the run.
/// </summary>
internal sealed class InterruptedTurnCapture
{
    private static readonly AsyncLocal<InterruptedTurnCapture?> Ambient = new();
    private SessionTurn? _turn;
    private int _claimed;

    /// <summary>Gets the capture of the run that is starting in this flow, if a <see cref="InterruptedTurnAgent"/> watches it.</summary>
    public static InterruptedTurnCapture? Current => Ambient.Value;

    /// <summary>Makes <paramref name="capture"/> the one the provider finds while the run starts in this flow.</summary>
    public static void SetCurrent(InterruptedTurnCapture? capture) => Ambient.Value = capture;

    /// <summary>Gets whether the run was cancelled by its caller: the provider, told of the cancellation, left the turn to the agent.</summary>
    public bool LeftToAgent { get; set; }

    /// <summary>Claims the capture for the first run that starts under it (a nested agent's run does not take it).</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

    /// <summary>Keeps the turn begun for the run.</summary>
    public void Hold(SessionTurn turn) => Volatile.Write(ref _turn, turn);

    /// <summary>Takes the turn, once: <see langword="null"/> when it was taken before or none was begun.</summary>
    public SessionTurn? Take() => Interlocked.Exchange(ref _turn, null);

    /// <summary>The text streamed so far, as a response to record.</summary>
    public List<string> Text { get; } = [];

    /// <summary>The text streamed so far, as one assistant message.</summary>
    public ChatResponse Partial() => new(new ChatMessage(ChatRole.Assistant, string.Concat(Text)));
}
