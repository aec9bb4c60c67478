namespace Dexter.Sessions;

/// <summary>Cuts text to a length without splitting a surrogate pair, so the result is always valid UTF-16.</summary>
internal static class TextCut
{
    /// <summary>Returns at most the first <paramref name="length"/> characters of <paramref name="text"/>, one fewer when the cut would split a surrogate pair.</summary>
    public static ReadOnlySpan<char> Prefix(ReadOnlySpan<char> text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        return text[..(length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
    }
}
