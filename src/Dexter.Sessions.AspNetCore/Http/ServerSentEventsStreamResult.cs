#if !NET10_0_OR_GREATER
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// ASP.NET Core 8's stand-in for <c>TypedResults.ServerSentEvents</c> (ASP.NET Core 10): writes each item as one
/// <c>data:</c> event with <see cref="SseFormatter"/>, with response buffering off so each event leaves when written.
/// </summary>
internal sealed class ServerSentEventsStreamResult(IAsyncEnumerable<string> events) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.ContentType = "text/event-stream";
        httpContext.Response.Headers.CacheControl = "no-cache,no-store";
        httpContext.Response.Headers.Pragma = "no-cache";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        await httpContext.Response.StartAsync(httpContext.RequestAborted).ConfigureAwait(false);
        try
        {
            await SseFormatter.WriteAsync(Items(events), httpContext.Response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the stream's producer has already seen the cancellation.
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> Items(IAsyncEnumerable<string> source)
    {
        await foreach (var item in source.ConfigureAwait(false))
        {
            yield return new SseItem<string>(item);
        }
    }
}
#endif
