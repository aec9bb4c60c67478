using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Reads the body of <c>POST /query</c> by hand, up to <see cref="DexterSessionsEndpointOptions.MaxRequestBodySize"/>: JSON,
/// or JSON labelled as a form as <c>curl -d</c> sends it. Every failure is a problem answer that says what to send.
/// </summary>
internal sealed class QueryRequestReader(DexterSessionsEndpointOptions options, EndpointProblems problems)
{
    public async Task<(QueryRequest? Request, IResult? Error)> ReadAsync(HttpContext context, string requestId)
    {
        var request = context.Request;
        var limit = options.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return (null, problems.TooLarge(context, requestId));
        }

        // curl -d sends JSON labelled as a form; documented curl commands do exactly that, so a form body holding JSON is read as JSON.
        var isForm = request.HasFormContentType && request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        if (request.ContentType is not null && !request.HasJsonContentType() && !isForm)
        {
            return (null, problems.UnsupportedMediaType(context, requestId));
        }

        // Read into a pooled buffer sized from Content-Length when there is one, growing up to the limit (+1 to detect more).
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 1024, 256, limit + 1));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return (null, problems.TooLarge(context, requestId));
                }
            }

            return Parse(context, requestId, buffer.AsSpan(0, length), isForm);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (QueryRequest? Request, IResult? Error) Parse(HttpContext context, string requestId, ReadOnlySpan<byte> body, bool isForm)
    {
        if (isForm && !StartsWithObject(body))
        {
            return (null, problems.UnsupportedMediaType(context, requestId));
        }

        if (body.IsEmpty)
        {
            return (null, problems.BadRequest(context, requestId, "The request body is empty: send {\"query\": \"...\"} as application/json."));
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body, DexterSessionsJsonContext.Default.QueryRequest);
            return parsed is null
                ? (null, problems.BadRequest(context, requestId, "The request body must be a JSON object: {\"query\": \"...\", \"session_id\": \"...\"}."))
                : (parsed, null);
        }
        catch (JsonException ex)
        {
            // JsonException's message names .NET types ("could not be converted to System.String"); say where, not what inside.
            return (null, problems.BadRequest(context, requestId, string.Create(CultureInfo.InvariantCulture,
                $"The request body is not a valid query at {ex.Path ?? "$"} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): send {{\"query\": \"...\", \"session_id\": \"...\"}} with string values.")));
        }
    }

    private static bool StartsWithObject(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{';
    }
}
