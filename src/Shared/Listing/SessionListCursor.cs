using System.Globalization;
using System.Text;

namespace Dexter.Sessions.Shared;

/// <summary>
/// The cursor of a page of sessions listed newest activity first: the last activity (in the store's own unit) and the id of the
/// last session of the page, as base64url text. The next page holds the sessions after it in the order (last activity
/// descending, then session id descending), so no session repeats within one walk.
/// </summary>
internal static class SessionListCursor
{
    private const string Version = "1";

    /// <summary>The cursor after the session with <paramref name="position"/> and <paramref name="sessionId"/>.</summary>
    public static string Encode(long position, string sessionId)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Version}:{position}:{sessionId}");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Reads a cursor; throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> when it is not one a store returned.</summary>
    public static (long Position, string SessionId) Decode(string cursor, string paramName = "cursor")
    {
        if (TryDecode(cursor, out var position, out var sessionId))
        {
            return (position, sessionId);
        }

        throw new ArgumentException(
            "The cursor is not one a listing of sessions returned; pass the NextCursor of the previous page unchanged, or no cursor for the first page.",
            paramName);
    }

    private static bool TryDecode(string cursor, out long position, out string sessionId)
    {
        position = 0;
        sessionId = string.Empty;
        if (cursor.Length is 0 or > 400)
        {
            return false;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0] != Version || !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out position) ||
            !IsSessionId(parts[2]))
        {
            return false;
        }

        sessionId = parts[2];
        return true;
    }

    // The rule of Dexter.Sessions.SessionId, repeated here so the file depends on the BCL only.
    private static bool IsSessionId(string id) =>
        id.Length is >= 1 and <= 128 && id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
