using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The answers of <c>MapDexterSessionsHealthChecks()</c>. The store's check runs here, not as a registered health check, so
/// the package adds nothing to the host's own health routes.
/// </summary>
internal static class ReadinessReport
{
    public static async Task CheckAndWriteAsync(HttpContext context)
    {
        var store = new SessionStoreHealthCheck(context.RequestServices.GetRequiredService<ISessionStore>());
        var status = (await store.CheckHealthAsync(new HealthCheckContext(), context.RequestAborted).ConfigureAwait(false)).Status;
        if (status != HealthStatus.Unhealthy && context.RequestServices.GetService<HealthCheckService>() is { } others)
        {
            var report = await others.CheckHealthAsync(context.RequestAborted).ConfigureAwait(false);
            status = report.Status < status ? report.Status : status;
        }

        await WriteAsync(context, status).ConfigureAwait(false);
    }

    public static Task WriteAsync(HttpContext context, HealthStatus status)
    {
        context.Response.StatusCode = status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(status.ToString(), context.RequestAborted);
    }
}
