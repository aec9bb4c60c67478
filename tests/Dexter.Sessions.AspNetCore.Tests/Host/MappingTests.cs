using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>Several prefixes side by side; clashes fail at startup naming them, never as a 500 on unrelated routes.</summary>
[TestFixture]
public sealed class MappingTests
{
    [Test]
    public async Task TwoPrefixes_WorkSideBySide_AndTheHostsRoutesStillAnswer()
    {
        await using var host = new HostApp(new Dictionary<string, string?> { ["HostApp:Prefixes"] = "/agent,/support" });
        using var alice = host.ClientFor("alice");

        using var ping = await alice.GetAsync("/ping");
        var first = await HostApp.CreateSessionAsync(alice, "/agent");
        var second = await HostApp.CreateSessionAsync(alice, "/support");
        var (query, body) = await HostApp.QueryAsync(alice, "What is Bitcoin?", second, "/support");

        Assert.Multiple(() =>
        {
            Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Does.Contain("\"type\":\"answer\""));
        });
    }

    [Test]
    public void SamePrefixTwice_FailsAtStartupNamingIt()
    {
        using var host = new HostApp(new Dictionary<string, string?> { ["HostApp:Prefixes"] = "/agent,/agent" });

        var ex = Assert.Throws<InvalidOperationException>(() => host.CreateClient());

        Assert.That(ex!.Message, Does.Contain("MapDexterSessions(\"/agent\")").And.Contain("DexterSessions_CreateSession").And.Contain("Map each prefix once"));
    }

    [Test]
    public void HealthRouteTheHostAlreadyAnswers_FailsAtStartupNamingTheRouteAndTheFix()
    {
        using var host = new HostApp(new Dictionary<string, string?> { ["HostApp:DexterLiveness"] = "/health" });

        var ex = Assert.Throws<InvalidOperationException>(() => host.CreateClient());

        Assert.That(ex!.Message, Does.Contain("'/health'").And.Contain("MapDexterSessionsHealthChecks(\"/agent/health\", \"/agent/ready\")"));
    }

    [Test]
    public async Task OpenApiOperationIds_AreUniquePerPrefix()
    {
        await using var app = await TestApp.StartAsync(
            services: s => s.AddOpenApi(),
            map: a =>
            {
                a.MapDexterSessions("/agent");
                a.MapDexterSessions("/api/v2/agent");
                a.MapOpenApi();
            });

        var paths = JsonNode.Parse(await app.Client.GetStringAsync("/openapi/v1.json"))!["paths"]!;

        Assert.Multiple(() =>
        {
            Assert.That((string)paths["/agent/query"]!["post"]!["operationId"]!, Is.EqualTo("DexterSessions_Query"));
            Assert.That((string)paths["/api/v2/agent/query"]!["post"]!["operationId"]!, Is.EqualTo("DexterSessions_api_v2_agent_Query"));
        });
    }
}
