using System.Net;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class HealthEndpointTests
{
    [Test]
    public async Task Health_StoreUp_Returns200()
    {
        await using var app = await TestApp.StartAsync();

        using var health = await app.Client.GetAsync("/health");
        using var ready = await app.Client.GetAsync("/ready");

        Assert.Multiple(async () =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await ready.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        });
    }

    [Test]
    public async Task Ready_StoreDown_Returns503WhileHealthStays200()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(new UnavailableSessionStore()));

        using var health = await app.Client.GetAsync("/health");
        using var ready = await app.Client.GetAsync("/ready");

        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        });
    }

    [Test]
    public async Task Health_CredentialsConfigured_NeedsNone()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["BACKEND_API_KEY"] = "key" });

        using var health = await app.Client.GetAsync("/health");

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
