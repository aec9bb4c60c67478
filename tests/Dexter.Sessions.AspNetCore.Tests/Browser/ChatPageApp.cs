using Microsoft.AspNetCore.Builder;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>The web sample's chat page and the endpoints under /agent, on a real Kestrel server on loopback.</summary>
internal static class ChatPageApp
{
    public static Task<TestApp> StartAsync(ISessionStore? store = null, IDictionary<string, string?>? settings = null) =>
        TestApp.StartAsync(
            settings,
            kestrel: true,
            contentRoot: Path.Combine(AppContext.BaseDirectory, "WebSample"),
            services: store is null ? null : s => s.AddDexterSessionsStore(store),
            map: a =>
            {
                a.UseDefaultFiles();

                // The web sample's headers, so the page is proven to work under its content security policy.
                a.UseStaticFiles(new StaticFileOptions
                {
                    OnPrepareResponse = static file =>
                    {
                        file.Context.Response.Headers.XFrameOptions = "DENY";
                        file.Context.Response.Headers.ContentSecurityPolicy =
                            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
                    },
                });
                a.MapDexterSessions("/agent");
            });
}
