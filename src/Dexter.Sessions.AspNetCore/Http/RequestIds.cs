using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The request id of every answer: the client's <c>X-Request-Id</c> when it is acceptable, else a new one.</summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";
    private const int MaxLength = 128;

    /// <summary>Resolves the id, makes it the request's trace identifier and echoes it in the response.</summary>
    public static string Resolve(HttpContext context)
    {
        string? given = context.Request.Headers[Header];
        var requestId = IsAcceptable(given) ? given! : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = requestId;
        context.Response.Headers[Header] = requestId;
        return requestId;
    }

    private static bool IsAcceptable(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
