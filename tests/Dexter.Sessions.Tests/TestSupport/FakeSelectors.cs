namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>A selector that records what it was given and answers through a callback.</summary>
internal sealed class RecordingSelector : IMessageSelector
{
    public List<MessageSelectionContext> Contexts { get; } = [];

    public Func<MessageSelectionContext, IReadOnlyList<Message>>? OnSelect { get; set; }

    public Func<Message, Message>? OnPrepare { get; set; }

    public int CandidateCount { get; set; } = -1;

    public int GetCandidateCount(int maxMessages) => CandidateCount < 0 ? maxMessages : CandidateCount;

    /// <summary>Gets or sets turns reported as embedded during the selection, for the turn's owner to store.</summary>
    public Func<MessageSelectionContext, IReadOnlyList<Message>>? OnUpdated { get; set; }

    /// <summary>Gets or sets the selected turns' order of relevance, most relevant first; recency when <see langword="null"/>.</summary>
    public Func<MessageSelectionContext, IReadOnlyList<Message>>? OnRank { get; set; }

    public ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default)
    {
        Contexts.Add(context);
        return new(new MessageSelection(
            OnSelect is null ? RecentMessageSelector.TakeLast(context.Turns, context.MaxMessages) : OnSelect(context),
            OnUpdated?.Invoke(context),
            OnRank?.Invoke(context)));
    }

    public ValueTask<Message> PrepareTurnAsync(Message message, CancellationToken cancellationToken = default) =>
        new(OnPrepare is null ? message : OnPrepare(message));
}

/// <summary>A selector type with a public constructor, for registration tests.</summary>
internal sealed class FirstTurnsSelector : IMessageSelector
{
    public ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default) =>
        new(new MessageSelection(context.Turns.Take(context.MaxMessages).ToArray()));
}

/// <summary>A summarizer that answers through a callback.</summary>
internal sealed class CallbackSummarizer(Func<string, string, CancellationToken, ValueTask<string>> summarize) : ISummarizer
{
    public int Calls { get; private set; }

    public ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default)
    {
        Calls++;
        return summarize(query, answer, cancellationToken);
    }
}
