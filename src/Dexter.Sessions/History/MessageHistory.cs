using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// The turns of one conversation, in order.
/// </summary>
/// <remarks>
/// A history is a plain in-memory list: it is what <see cref="ISessionStore.GetAsync"/> returns and what
/// <see cref="ISessionStore.SetAsync"/> stores. It is not thread-safe; to record turns from concurrent
/// requests, use <see cref="ISessionStore.AppendAsync"/>, which is atomic.
/// </remarks>
public sealed class MessageHistory
{
    /// <summary>The header that starts the text made by <see cref="FormatForPlanning()"/>.</summary>
    [Obsolete("Use TextContextFormat.Header.")]
    public const string PlanningHeader = TextContextFormat.Header;

    /// <summary>How many characters of an answer <see cref="FormatForPlanning()"/> keeps.</summary>
    [Obsolete("Use TextContextFormat.AnswerLength.")]
    public const int PlanningAnswerLength = TextContextFormat.AnswerLength;

    private readonly List<Message> _messages = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes an empty history that stamps turns with the system clock.</summary>
    public MessageHistory()
        : this(default(IMessageSelector), [], null)
    {
    }

    /// <summary>Initializes an empty history.</summary>
    /// <param name="timeProvider">The clock for <see cref="AddTurn"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public MessageHistory(TimeProvider? timeProvider)
        : this(default(IMessageSelector), [], timeProvider)
    {
    }

    /// <summary>Initializes a history that holds <paramref name="messages"/>.</summary>
    /// <param name="messages">The turns, in order; their ids are kept.</param>
    public MessageHistory(IEnumerable<Message> messages)
        : this(default(IMessageSelector), messages, null)
    {
    }

    /// <summary>Initializes a history that holds <paramref name="messages"/>.</summary>
    /// <param name="messages">The turns, in order; their ids are kept.</param>
    /// <param name="timeProvider">The clock for <see cref="AddTurn"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public MessageHistory(IEnumerable<Message> messages, TimeProvider? timeProvider)
        : this(default(IMessageSelector), messages, timeProvider)
    {
    }

    /// <summary>Initializes a history that holds <paramref name="messages"/>, with a selector of its own.</summary>
    /// <param name="messages">The turns, in order; their ids are kept.</param>
    /// <param name="selector">The selector for <see cref="SelectRelevantMessagesAsync"/> and for the turns <see cref="DexterAgent"/> runs over
    /// this history; <see cref="RecentMessageSelector"/> (the agent's own selector, for its turns) when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <see cref="AddTurn"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    [Obsolete("A history holds turns only: pass the selector to DexterAgent or SessionTurnPipeline, or call IMessageSelector.SelectAsync.")]
    public MessageHistory(IEnumerable<Message> messages, IMessageSelector? selector = null, TimeProvider? timeProvider = null)
        : this(selector, messages, timeProvider)
    {
    }

    /// <summary>Initializes an empty history, with a selector of its own.</summary>
    /// <param name="selector">The selector for <see cref="SelectRelevantMessagesAsync"/> and for the turns <see cref="DexterAgent"/> runs over
    /// this history; <see cref="RecentMessageSelector"/> (the agent's own selector, for its turns) when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <see cref="AddTurn"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    [Obsolete("A history holds turns only: pass the selector to DexterAgent or SessionTurnPipeline, or call IMessageSelector.SelectAsync.")]
    public MessageHistory(IMessageSelector? selector, TimeProvider? timeProvider = null)
        : this(selector, [], timeProvider)
    {
    }

    private MessageHistory(IMessageSelector? selector, IEnumerable<Message> messages, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            _messages.Add(message);
        }

        ExplicitSelector = selector;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of turns.</summary>
    public int Count => _messages.Count;

    /// <summary>
    /// Gets or sets how many of the latest turns the context of a turn over this history holds
    /// (<see cref="DexterAgent.RunAsync(string, MessageHistory, CancellationToken)"/>), and <see cref="SelectRelevantMessagesAsync"/> returns at most.
    /// </summary>
    /// <value>The default is 10, as in <see cref="DexterSessionsOptions.MaxContextMessages"/>.</value>
    public int MaxContextMessages
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DexterSessionsOptions.DefaultMaxContextMessages;

    /// <summary>Adds a turn, with the next id.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="answer">The agent's answer.</param>
    /// <param name="summary">A summary of the turn; empty when none.</param>
    /// <returns>The turn that was added.</returns>
    public Message AddTurn(string query, string answer, string summary = "")
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(summary);
        return Add(new Message { Query = query, Answer = answer, Summary = summary, CreatedAt = _timeProvider.GetUtcNow() });
    }

    /// <summary>Adds a turn, with the next id.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="answer">The agent's answer.</param>
    /// <param name="summary">A summary of the turn; empty when none.</param>
    /// <returns>The turn that was added.</returns>
    [Obsolete("Use AddTurn.")]
    public Message AddAgentMessage(string query, string answer, string summary = "") => AddTurn(query, answer, summary);

    /// <summary>Adds a turn, giving it the next id (its own <see cref="Message.Id"/> is ignored).</summary>
    /// <param name="message">The turn.</param>
    /// <returns>The turn as added, with its id.</returns>
    public Message Add(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var added = message with { Id = NextId() };
        _messages.Add(added);
        return added;
    }

    /// <summary>Gets every turn, in order.</summary>
    /// <returns>A snapshot of the turns.</returns>
    public IReadOnlyList<Message> GetAll() => _messages.ToArray();

    /// <summary>Gets the turn with id <paramref name="messageId"/>.</summary>
    /// <param name="messageId">The turn id.</param>
    /// <returns>The turn, or <see langword="null"/> when there is none with that id.</returns>
    public Message? GetById(int messageId)
    {
        // Ids are normally 1..n in order, so try the direct position before searching.
        if (messageId >= 1 && messageId <= _messages.Count && _messages[messageId - 1].Id == messageId)
        {
            return _messages[messageId - 1];
        }

        return _messages.Find(m => m.Id == messageId);
    }

    /// <summary>Gets the latest turn.</summary>
    /// <returns>The latest turn, or <see langword="null"/> when the history is empty.</returns>
    public Message? Last() => _messages.Count == 0 ? null : _messages[^1];

    /// <summary>Removes every turn.</summary>
    public void Clear() => _messages.Clear();

    /// <summary>Selects the turns most relevant to <paramref name="currentQuery"/>, at most <see cref="MaxContextMessages"/>, in chronological order.</summary>
    /// <param name="currentQuery">The new query.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>The selected turns.</returns>
    [Obsolete("A history holds turns only: call IMessageSelector.SelectAsync(new MessageSelectionContext(query, history.GetAll(), max)).")]
    public async Task<IReadOnlyList<Message>> SelectRelevantMessagesAsync(string currentQuery, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currentQuery);
        var context = new MessageSelectionContext(currentQuery, GetAll(), MaxContextMessages);
        return (await (ExplicitSelector ?? RecentMessageSelector.Instance).SelectAsync(context, cancellationToken).ConfigureAwait(false)).Turns;
    }

    /// <summary>Formats every turn as text context for a model (see <see cref="TextContextFormat.Format(IEnumerable{Message})"/>).</summary>
    /// <returns>The context text; empty when the history is empty.</returns>
    [Obsolete("Use TextContextFormat.Format(history.GetAll()).")]
    public string FormatForPlanning() => TextContextFormat.Format(_messages);

    /// <summary>Formats <paramref name="messages"/> as text context for a model (see <see cref="TextContextFormat.Format(IEnumerable{Message})"/>).</summary>
    /// <param name="messages">The turns to format, in order.</param>
    /// <returns>The context text; empty when there are no turns.</returns>
    [Obsolete("Use TextContextFormat.Format.")]
    public static string FormatForPlanning(IEnumerable<Message> messages) => TextContextFormat.Format(messages);

    /// <summary>Converts the turns to Microsoft.Extensions.AI chat messages: a user message and an assistant message per turn.</summary>
    /// <returns>The chat messages, in order.</returns>
    public IList<ChatMessage> ToChatMessages() => ToChatMessages(_messages);

    /// <summary>
    /// Converts <paramref name="messages"/> to Microsoft.Extensions.AI chat messages: a user message and an assistant message per turn
    /// (an <see cref="Message.Interrupted"/> turn's answer ends with <see cref="TextContextFormat.InterruptedNote"/>).
    /// </summary>
    /// <param name="messages">The turns, in order.</param>
    /// <returns>The chat messages, in order.</returns>
    public static IList<ChatMessage> ToChatMessages(IEnumerable<Message> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatMessage>();
        foreach (var message in messages)
        {
            result.Add(new ChatMessage(ChatRole.User, message.Query) { CreatedAt = message.CreatedAt });
            var answer = message.Interrupted
                ? (message.Answer.Length == 0 ? TextContextFormat.InterruptedNote : message.Answer + "\n" + TextContextFormat.InterruptedNote)
                : message.Answer;
            result.Add(new ChatMessage(ChatRole.Assistant, answer) { CreatedAt = message.CreatedAt });
        }

        return result;
    }

    /// <summary>Gets the selector this history was made with (by a former constructor), or <see langword="null"/>.</summary>
    internal IMessageSelector? ExplicitSelector { get; }

    /// <summary>Keeps the embeddings of <paramref name="updated"/> on the turns with the same ids.</summary>
    internal void UpdateEmbeddings(IReadOnlyList<Message> updated)
    {
        foreach (var turn in updated)
        {
            var index = _messages.FindIndex(m => m.Id == turn.Id);
            if (index >= 0)
            {
                _messages[index] = _messages[index] with { Embedding = turn.Embedding };
            }
        }
    }

    private int NextId() => _messages.Count == 0 ? 1 : _messages[^1].Id + 1;
}
