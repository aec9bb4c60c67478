using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>The existing app on a real Kestrel server: the host's users stream answers event by event.</summary>
[TestFixture]
public sealed class KestrelHostTests
{
    [Test]
    public async Task Query_AsTheHostsUserOverKestrel_StreamsTokenEventsBeforeTheAnswer()
    {
        await using var host = new HostApp();
        host.UseKestrel(0);
        host.StartServer();
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostApp.TokenFor("alice"));
        var sessionId = await HostApp.CreateSessionAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query")
        {
            Content = new StringContent($"{{\"query\":\"What is Bitcoin?\",\"session_id\":\"{sessionId}\"}}", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var types = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                types.Add((string)JsonNode.Parse(line["data: ".Length..])!["type"]!);
            }
        }

        Assert.Multiple(async () =>
        {
            Assert.That(client.BaseAddress!.Scheme, Is.EqualTo("http"));
            Assert.That(client.BaseAddress.IsLoopback, Is.True, "a real socket, not the in-memory test server");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(types.Count(t => t == "token"), Is.GreaterThan(3), "the offline model streams word by word");
            Assert.That(types[^1], Is.EqualTo("answer"));
            Assert.That((await host.Store.GetMetadataAsync(sessionId))!.Owner, Is.EqualTo("user:alice"));
        });
    }

    [Test]
    public async Task Me_OverKestrel_StillUsesTheHostsScheme()
    {
        await using var host = new HostApp();
        host.UseKestrel(0);
        host.StartServer();
        using var client = host.CreateClient();

        using var anonymous = await client.GetAsync("/me");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostApp.TokenFor("alice"));
        using var signedIn = await client.GetAsync("/me");

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}
