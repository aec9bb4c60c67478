using System.Net;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class SessionEndpointTests
{
    [Test]
    public async Task CreateSession_Always_Returns201WithNewIdAndCookie()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.PostAsync("/agent/session", content: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var body = await response.ReadJsonAsync();
        var sessionId = (string)body["session_id"]!;
        Assert.Multiple(() =>
        {
            Assert.That(sessionId, Does.Match("^[0-9a-f]{32}$"), "128 random bits as hex");
            Assert.That((string)body["status"]!, Is.EqualTo("created"));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        });
        Assert.That(await app.Store.ExistsAsync(sessionId), Is.True);
        var cookie = Cookies.SessionCookie(response);
        Assert.That(cookie, Does.StartWith("session_id=" + sessionId + ";"));
    }

    [Test]
    public async Task CreateSession_Default_CookieIsHttpOnlyLaxWithSessionTtlAndNotSecure()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.PostAsync("/agent/session", content: null);

        var cookie = Cookies.SessionCookie(response).ToLowerInvariant();
        Assert.Multiple(() =>
        {
            Assert.That(cookie, Does.Contain("httponly"));
            Assert.That(cookie, Does.Contain("samesite=lax"));
            Assert.That(cookie, Does.Contain("max-age=86400"));
            Assert.That(cookie, Does.Contain("path=/"));
            Assert.That(cookie, Does.Not.Contain("secure;").And.Not.EndWith("secure"));
        });
    }

    [Test]
    public async Task CreateSession_SecureCookiesAndTtlConfigured_CookieIsSecureWithThatMaxAge()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["SECURE_COOKIES"] = "true",
            ["DEXTER_SESSION_TTL_SECONDS"] = "600",
        });

        using var response = await app.Client.PostAsync("/agent/session", content: null);

        var cookie = Cookies.SessionCookie(response).ToLowerInvariant();
        Assert.Multiple(() =>
        {
            Assert.That(cookie, Does.Contain("secure"));
            Assert.That(cookie, Does.Contain("max-age=600"));
            Assert.That(cookie, Does.Contain("httponly"));
        });
    }

    [Test]
    public async Task CreateSession_ManyCalls_EveryIdIsDistinct()
    {
        await using var app = await TestApp.StartAsync();

        var ids = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add(await app.CreateSessionAsync());
        }

        Assert.That(ids, Has.Count.EqualTo(50));
    }

    [Test]
    public async Task CreateSession_RequestIdSent_EchoesIt()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/session");
        request.Headers.Add("X-Request-Id", "req-42.abc");

        using var response = await app.Client.SendAsync(request);

        Assert.That(response.Headers.GetValues("X-Request-Id").Single(), Is.EqualTo("req-42.abc"));
    }

    [Test]
    public async Task CreateSession_NoOrUnsafeRequestId_GeneratesOne()
    {
        await using var app = await TestApp.StartAsync();
        using var unsafeRequest = new HttpRequestMessage(HttpMethod.Post, "/agent/session");
        unsafeRequest.Headers.TryAddWithoutValidation("X-Request-Id", "bad id\twith<script>");

        using var plain = await app.Client.PostAsync("/agent/session", content: null);
        using var withUnsafe = await app.Client.SendAsync(unsafeRequest);

        Assert.Multiple(() =>
        {
            Assert.That(plain.Headers.GetValues("X-Request-Id").Single(), Does.Match("^[0-9a-f]{32}$"));
            Assert.That(withUnsafe.Headers.GetValues("X-Request-Id").Single(), Does.Match("^[0-9a-f]{32}$"));
        });
    }

    [Test]
    public async Task CreateSession_StoreUnavailable_Returns503ProblemAndLogsTheCause()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(new UnavailableSessionStore()));

        using var response = await app.Client.PostAsync("/agent/session", content: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var problem = await Problems.ReadAsync(response, 503);
        Assert.That((string)problem["detail"]!, Does.Contain("session store is unavailable").And.Not.Contain("127.0.0.1").And.Not.Contain("REDIS_URL"));
        Assert.That(app.Logs.Entries.Any(e => e.Entry.EventId.Name == "StoreUnavailable" && e.Entry.Message.Contains((string)problem["request_id"]!, StringComparison.Ordinal)
            && e.Entry.Exception?.Message == UnavailableSessionStore.Message), Is.True);
    }
}

internal static class Cookies
{
    public static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Single(v => v.StartsWith("session_id=", StringComparison.Ordinal))
            : throw new AssertionException("No Set-Cookie header.");

    public static string SessionIdFrom(HttpResponseMessage response)
    {
        var cookie = SessionCookie(response);
        return cookie["session_id=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
    }
}

internal static class Problems
{
    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, int status)
    {
        Assert.That((int)response.StatusCode, Is.EqualTo(status), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That((int)problem["status"]!, Is.EqualTo(status));
            Assert.That((string?)problem["title"], Is.Not.Null.And.Not.Empty);
            Assert.That((string?)problem["type"], Does.StartWith("https://tools.ietf.org/html/rfc"));
            Assert.That((string?)problem["request_id"], Is.EqualTo(response.Headers.GetValues("X-Request-Id").Single()));
        });
        return problem;
    }
}

internal static class ServiceCollectionTestExtensions
{
    public static void AddDexterSessionsStore(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, ISessionStore store) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.Replace(
            services, Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(store));
}
