namespace Dexter.Sessions;

/// <summary>The default <see cref="IMessageSelector"/>: the latest turns, up to the limit.</summary>
public sealed class RecentMessageSelector : IMessageSelector
{
    /// <summary>Gets a shared instance.</summary>
    public static RecentMessageSelector Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(new MessageSelection(TakeLast(context.Turns, context.MaxMessages)));
    }

    /// <summary>Returns the last <paramref name="count"/> of <paramref name="turns"/>, in order.</summary>
    /// <param name="turns">The turns, in chronological order.</param>
    /// <param name="count">How many to keep at most.</param>
    /// <returns>The latest turns.</returns>
    public static IReadOnlyList<Message> TakeLast(IReadOnlyList<Message> turns, int count)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (turns.Count <= count)
        {
            return turns;
        }

        var result = new Message[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = turns[turns.Count - count + i];
        }

        return result;
    }
}
