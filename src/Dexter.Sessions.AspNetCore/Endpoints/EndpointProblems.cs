using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The endpoints' RFC 7807 answers, each with the request id and a detail that says what to do.</summary>
internal sealed class EndpointProblems(ILogger logger, DexterSessionsEndpointOptions options)
{
    public const string StoreUnavailableDetail = "The session store is unavailable; try again shortly, quoting the request id if it persists.";

    public IResult BadRequest(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status400BadRequest, "Bad request", detail);

    public IResult SessionNotFound(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status404NotFound, "Session not found",
            "No session with this id exists for the caller; create one with POST /session.");

    public IResult TooLarge(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status413PayloadTooLarge, "Request body too large", string.Create(CultureInfo.InvariantCulture,
            $"The request body is larger than {options.MaxRequestBodySize} bytes (Dexter:Sessions:Endpoints:MaxRequestBodySize)."));

    public IResult UnsupportedMediaType(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            "Send the body as application/json: {\"query\": \"...\"}.");

    public IResult TooManyRequests(HttpContext context, string requestId, TimeSpan retryAfter, string detail)
    {
        var seconds = RetryAfterSeconds(retryAfter);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problem(context, requestId, StatusCodes.Status429TooManyRequests, "Too many requests",
            detail + string.Create(CultureInfo.InvariantCulture, $" Retry after {seconds} s."));
    }

    public IResult Conflict(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status409Conflict, "Conflict", detail);

    public IResult UnprocessableEntity(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status422UnprocessableEntity, "Unprocessable entity", detail);

    public IResult NotImplemented(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status501NotImplemented, "Not implemented", detail);

    public IResult Forbidden(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status403Forbidden, "Forbidden", detail);

    public IResult Unauthorized(HttpContext context, string requestId, string? detail) =>
        Problem(context, requestId, StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    /// <summary>The seconds a caller is asked to wait (<c>Retry-After</c>) when the session store cannot be reached.</summary>
    public const int StoreUnavailableRetryAfterSeconds = 5;

    public IResult StoreUnavailable(HttpContext context, string requestId)
    {
        context.Response.Headers.RetryAfter = StoreUnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problem(context, requestId, StatusCodes.Status503ServiceUnavailable, "Session store unavailable", StoreUnavailableDetail);
    }

    public static int RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    private ProblemHttpResult Problem(HttpContext context, string requestId, int statusCode, string title, string? detail)
    {
        if (statusCode < 500 && statusCode != StatusCodes.Status401Unauthorized)
        {
            DexterSessionsEndpoints.Log.RequestRejected(logger, requestId, statusCode, detail);
        }

        return TypedResults.Problem(
            detail: detail,
            instance: context.Request.Path,
            statusCode: statusCode,
            title: title,
            type: statusCode switch
            {
                // ASP.NET Core's defaults name a type for the other statuses.
                StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
                _ => null,
            },
            extensions: new Dictionary<string, object?> { ["request_id"] = requestId });
    }
}
