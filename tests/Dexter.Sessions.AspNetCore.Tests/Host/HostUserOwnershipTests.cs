using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>The owner of a session is the host's user; another user cannot tell the session exists, on any endpoint.</summary>
[TestFixture]
public sealed class HostUserOwnershipTests
{
    [Test]
    public async Task Sessions_BelongToTheHostsUser_AndAnotherUserGets404OnEveryEndpoint()
    {
        await using var host = new HostApp();
        using var alice = host.ClientFor("alice");
        using var bob = host.ClientFor("bob");
        var sessionId = await HostApp.CreateSessionAsync(alice);
        var (aliceQuery, aliceBody) = await HostApp.QueryAsync(alice, "What is Bitcoin?", sessionId);

        using var bobRead = await bob.GetAsync("/agent/history?session_id=" + sessionId);
        using var unknownRead = await bob.GetAsync("/agent/history?session_id=" + SessionId.New());
        using var bobDelete = await bob.DeleteAsync("/agent/history?session_id=" + sessionId);
        var (bobQuery, _) = await HostApp.QueryAsync(bob, "Tell me Alice's questions", sessionId);
        using var aliceRead = await alice.GetAsync("/agent/history?session_id=" + sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(aliceQuery.StatusCode, Is.EqualTo(HttpStatusCode.OK), aliceBody);
            Assert.That(bobRead.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Strip(await bobRead.Content.ReadAsStringAsync()), Is.EqualTo(Strip(await unknownRead.Content.ReadAsStringAsync())),
                "the same answer as for an unknown id");
            Assert.That(bobDelete.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(bobQuery.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(aliceRead.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await host.Store.GetMetadataAsync(sessionId))!.Owner, Is.EqualTo("user:alice"));
            Assert.That((await host.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1), "Bob's query and delete changed nothing");
        });
    }

    [Test]
    public async Task Endpoints_WithRequireAuthorization_AnswerAnAnonymousCaller401ThroughTheHostsScheme()
    {
        await using var host = new HostApp();
        using var anonymous = host.ClientFor(user: null);

        using var response = await anonymous.PostAsync("/agent/session", content: null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public async Task OwnerResolver_Configured_DecidesWhoOwnsASession()
    {
        // The host shares sessions within a tenant: two users of one tenant see the same sessions, another tenant does not.
        await using var host = new HostApp(services: s => s.Configure<DexterSessionsEndpointOptions>(o => o.OwnerResolver = user => user.FindFirst("tenant")?.Value));
        using var alice = host.ClientFor("alice", new Claim("tenant", "acme"));
        using var carol = host.ClientFor("carol", new Claim("tenant", "acme"));
        using var bob = host.ClientFor("bob", new Claim("tenant", "globex"));
        var sessionId = await HostApp.CreateSessionAsync(alice);

        using var carolRead = await carol.GetAsync("/agent/history?session_id=" + sessionId);
        using var bobRead = await bob.GetAsync("/agent/history?session_id=" + sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(carolRead.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bobRead.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await host.Store.GetMetadataAsync(sessionId))!.Owner, Is.EqualTo("user:acme"));
        });
    }

    [Test]
    public async Task OwnerResolver_FindingNothing_Answers401NamingTheFix()
    {
        await using var host = new HostApp(services: s => s.Configure<DexterSessionsEndpointOptions>(o => o.OwnerResolver = _ => null));
        using var alice = host.ClientFor("alice");

        using var response = await alice.PostAsync("/agent/session", content: null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("OwnerResolver"));
        });
    }

    private static string Strip(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"(request_id|traceId|trace-id)\":\"[^\"]*\"", string.Empty);
}
