using System.Net;
using System.Text.Json.Nodes;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>Adding the endpoints to an existing app changes nothing the app owns.</summary>
[TestFixture]
public sealed class GuestNotLandlordTests
{
    [Test]
    public async Task Me_WithTheHostsOwnScheme_StillIsTheDefault_200WithATokenAnd401Without()
    {
        await using var host = new HostApp();
        using var alice = host.ClientFor("alice");
        using var anonymous = host.ClientFor(user: null);

        using var me = await alice.GetAsync("/me");
        using var noToken = await anonymous.GetAsync("/me");

        Assert.Multiple(async () =>
        {
            Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK), await me.Content.ReadAsStringAsync());
            Assert.That(noToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the host's JwtBearer challenges, no 'No DefaultChallengeScheme' 500");
            Assert.That(noToken.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public async Task HostJsonOptions_StayTheHosts_WhileTheEndpointsKeepSnakeCase()
    {
        await using var host = new HostApp();
        using var alice = host.ClientFor("alice");

        var orders = JsonNode.Parse(await alice.GetStringAsync("/api/orders"))!.AsArray();
        var summary = JsonNode.Parse(await alice.GetStringAsync("/orders/summary"))!.AsObject();
        var sessionId = await HostApp.CreateSessionAsync(alice);
        var history = JsonNode.Parse(await alice.GetStringAsync("/agent/history?session_id=" + sessionId))!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(orders[0]!.AsObject().ContainsKey("order-id"), Is.True, "controllers keep the host's kebab-case");
            Assert.That(summary.ContainsKey("order-count"), Is.True, "minimal APIs keep the host's kebab-case");
            Assert.That(history.ContainsKey("session_id"), Is.True, "the endpoints keep the snake_case wire format");
        });
    }

    [Test]
    public async Task HostProblemDetailsCustomization_StillApplies()
    {
        await using var host = new HostApp();
        using var client = host.ClientFor("alice");

        using var boom = await client.GetAsync("/boom");
        var problem = JsonNode.Parse(await boom.Content.ReadAsStringAsync())!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(boom.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That((string?)problem["app"], Is.EqualTo("host-app"));
        });
    }

    [Test]
    public async Task HostHealthRoute_StaysTheHosts_AndDexterHealthLivesWhereTheHostPutIt()
    {
        await using var host = new HostApp();
        using var client = host.ClientFor(user: null);

        using var health = await client.GetAsync("/health");
        using var dexterHealth = await client.GetAsync("/agent/health");
        using var dexterReady = await client.GetAsync("/agent/ready");

        Assert.Multiple(async () =>
        {
            Assert.That(await health.Content.ReadAsStringAsync(), Is.EqualTo("host-health"));
            Assert.That(dexterHealth.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await dexterReady.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        });
    }

    [Test]
    public async Task HostRateLimiterPolicy_StillLimitsItsRoute_AndDoesNotReachTheEndpoints()
    {
        await using var host = new HostApp();
        using var client = host.ClientFor("alice");

        var pings = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var ping = await client.GetAsync("/ping");
            pings.Add(ping.StatusCode);
        }

        using var session = await client.PostAsync("/agent/session", content: null);

        Assert.Multiple(() =>
        {
            Assert.That(pings, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            Assert.That(session.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        });
    }

    [Test]
    [NonParallelizable]
    public async Task HostsOwnVariablesNamedLikeTheOriginalSystems_DoNotStopIt()
    {
        using var _ = new EnvironmentVariableScope(("JWT_SECRET", "short-app-secret"), ("REDIS_URL", "http://cache:6379"), ("BACKEND_API_KEY", "app-key"));
        await using var host = new HostApp();
        using var alice = host.ClientFor("alice");

        using var me = await alice.GetAsync("/me");
        using var session = await alice.PostAsync("/agent/session", content: null);

        Assert.Multiple(() =>
        {
            Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(session.StatusCode, Is.EqualTo(HttpStatusCode.Created), "no API key is asked for: the host did not opt in");
            Assert.That(host.Store, Is.InstanceOf<InMemorySessionStore>());
        });
    }
}
