namespace Dexter.Sessions.Shared;

/// <summary>Helpers for the messages of the exceptions a package throws.</summary>
internal static class ErrorMessage
{
    /// <summary>The longest part of another message that is quoted.</summary>
    public const int MaxQuotedLength = 300;

    /// <summary>
    /// The first line of <paramref name="message"/> (a driver's or server's), trimmed and without its final period, cut to
    /// <see cref="MaxQuotedLength"/> characters: to quote it inside a sentence of one's own.
    /// </summary>
    public static string FirstSentence(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        var line = (end < 0 ? message : message[..end]).Trim().TrimEnd('.');
        return line.Length <= MaxQuotedLength ? line : line[..MaxQuotedLength] + "…";
    }
}
